// Which socket an upstream request went out on, and whether that socket had carried a request before (a reused
// keep-alive socket). Only such a request, closed before any response byte, can have met the keep-alive race: the
// server closed the idle socket while the request was on its way (nodejs/node#47130; Node's `reusedSocket`,
// nodejs/node#29715). undici does not tell a dispatch handler its socket; its `undici:client:sendHeaders`
// diagnostics channel does, synchronously after the handler's onRequestStart, so the handler announces itself there.
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export interface SocketWatcher {
  /** The socket this request is being written to; `reused` when an earlier request went out on it. */
  onSocket(socket: Socket, reused: boolean): void;
}

/** Sockets that have carried a request. */
const carried = new WeakSet<Socket>();
// The request announced last (three variables rather than an object: one announcement per upstream request).
let watcher: SocketWatcher | undefined;
let method = '';
let path = '';
let subscribed = false;

function onSendHeaders(message: unknown): void {
  const { request, socket } = message as { request: { method?: string; path?: string }; socket: Socket };
  const reused = carried.has(socket);
  if (!reused) carried.add(socket);
  const w = watcher;
  watcher = undefined;
  // Another undici user (a plugin's fetch) may write between an announcement that never led to a write (the request
  // was aborted at once) and this one: only the request announced is told.
  if (w !== undefined && method === request.method && path === request.path) w.onSocket(socket, reused);
}

/**
 * Called from a dispatch handler's onRequestStart: undici writes that request's head next, in the same synchronous
 * call, and `w` learns its socket then.
 */
export function expectSocket(w: SocketWatcher, requestMethod: string, requestPath: string): void {
  if (!subscribed) {
    subscribed = true;
    subscribe('undici:client:sendHeaders', onSendHeaders);
  }
  watcher = w;
  method = requestMethod;
  path = requestPath;
}
