// The request attribute by which a filter asks for the final usage of a streamed answer (cost, budgets): the proxy
// then has the upstream report it on same-API streams whose client did not ask (ClientCodec.requestStreamUsage) and
// takes it back out of what the client reads, so the client's bytes stay as they would have been.
import { defineAttribute } from '../index.js';

/** Set (true) in decode by a filter that needs the final usage of this request's answer, streamed or not. */
export const StreamUsageWanted = defineAttribute<true>('dgp.llm.stream_usage_wanted');
