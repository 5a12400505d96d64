// Schema of admission control: the top-level `admission:` block (the gateway-wide concurrency cap, its bounded priority
// queue, heap-based load shedding, where priorities come from) and `clusters[].admission` (a cap per cluster).
// docs/admission.md explains the semantics; the loader turns durations into ms.
import Type from 'typebox';
import { Bool, Duration, Int, Str, StrictObject } from './common.js';

const O = Type.Optional;

/** Priorities are small integers; the bound keeps a header from naming absurd values. */
export const PRIORITY_LIMIT = 1_000_000;

const Priority = (description: string, def?: number) =>
  Int({ description, ...(def === undefined ? {} : { default: def }), minimum: -PRIORITY_LIMIT, maximum: PRIORITY_LIMIT });

const QueueSchema = StrictObject(
  {
    max_length: O(Int({
      description:
        'Most requests waiting for a slot. When it is full, a new request is refused at once with 503 DGP_ERR_ADMISSION_QUEUE_FULL, unless it has a higher priority than the lowest waiting one: that waiter (the newest of the lowest priority) is refused instead. 0 = no queue: a request that finds every slot taken is refused at once.',
      default: 1024,
      minimum: 0,
    })),
    max_wait: O(Duration({
      description: 'Longest a request waits in this queue; then it is answered 503 DGP_ERR_ADMISSION_QUEUE_TIMEOUT with retry-after. 0 = no queue (as max_length 0).',
      default: '5s',
      examples: ['500ms'],
    })),
  },
  { description: 'The bounded priority queue in front of the cap: higher priority first, first come first served within a priority.' },
);

const maxConcurrency = (what: string) =>
  O(Int({
    description: `Most requests ${what} past admission at once (a stream holds its slot until it ends). 0 = no cap.`,
    default: 0,
    minimum: 0,
    examples: [200],
  }));

export const ClusterAdmissionSchema = StrictObject(
  {
    max_concurrency: maxConcurrency('to this cluster'),
    queue: O(QueueSchema),
  },
  { description: "A concurrency cap and queue for this cluster's requests, on top of the gateway-wide admission cap (an addition; see docs/admission.md)." },
);

const PrioritySchema = StrictObject(
  {
    default: O(Priority('Priority of a request that gets none from its key, the header or its route.', 0)),
    allow_header: O(Bool({
      description: 'Read the priority header. Off by default: a client must not be able to jump the queue unless the operator trusts it. Even when allowed, the header cannot ask for more than header_max (or, without it, than the priority the request has anyway).',
      default: false,
    })),
    header: O(Str({ description: 'Name of the priority header (an integer value; anything else is ignored).', default: 'x-dgp-priority', minLength: 1 })),
    header_max: O(Priority('Highest priority the header may ask for. Absent: the header may only lower the priority the request gets from its key, route or default.')),
  },
  { description: 'Where a queued request gets its priority: the header (when allowed), else its key\'s priority (dgp.filter.llm.keys), else its route\'s route.priority, else default. Higher numbers are served first.' },
);

export const AdmissionSchema = StrictObject(
  {
    max_concurrency: maxConcurrency('in the whole gateway process'),
    queue: O(QueueSchema),
    shed_heap_fraction: O(Type.Number({
      description:
        "Above this fraction of the V8 heap limit (used_heap_size / heap_size_limit, sampled every 100 ms), new requests are refused with 503 DGP_ERR_ADMISSION_SHED before their body is read; requests in flight, streams included, go on. 0 = never shed. Example: 0.85.",
      default: 0,
      minimum: 0,
      maximum: 1,
      examples: [0.85],
    })),
    priority: O(PrioritySchema),
  },
  { description: 'Admission control for the whole gateway process: a concurrency cap with a bounded priority queue, and heap-based load shedding (an addition; see docs/admission.md).' },
);
