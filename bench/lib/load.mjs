// Load generators: autocannon (closed loop: N connections, pipelining 1, as
// fast as the server answers) for throughput, and a paced open-loop generator
// for the steady traffic of the mixed run, whose latency is the point there.
import autocannon from 'autocannon';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from './stats.mjs';

/** RFC 6749 §2.3.1 client_secret_basic: form-urlencoded id and secret, base64. */
export function basicAuth(clientId, secret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

export const FORM = 'application/x-www-form-urlencoded';

/**
 * One autocannon run. `spec`: {url, method, headers, body, requests, connections,
 * seconds, expectStatus}. Resolves with the figures the report uses.
 */
export function autocannonRun(spec) {
  let firstFailure;
  const requests = (spec.requests ?? [{}]).map((r) => ({
    ...r,
    onResponse: (status, body, context, headers) => {
      if (status !== (spec.expectStatus ?? 200) && firstFailure === undefined)
        firstFailure = `${status} ${String(body).slice(0, 300)}`;
      r.onResponse?.(status, body, context, headers);
    },
  }));
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: spec.url,
        method: spec.method ?? 'GET',
        headers: spec.headers,
        body: spec.body,
        requests,
        connections: spec.connections,
        pipelining: 1,
        duration: spec.seconds,
        timeout: spec.timeoutSeconds ?? 30,
      },
      (error, result) => {
        if (error) return reject(error);
        const ok = result['2xx'];
        resolve({
          rps: ok / result.duration,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          total: ok + result.non2xx,
          // Sent, including those still unanswered when the round ended.
          sent: result.requests.sent ?? ok + result.non2xx,
          seconds: result.duration,
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          max: result.latency.max,
          firstFailure,
        });
      },
    );
  });
}

/**
 * Open-loop traffic at a fixed rate for `seconds`: request i is due at
 * start + i/rate, whether or not earlier answers came back (at most
 * `maxInFlight` outstanding; a request that finds the cap full waits, and its
 * wait counts in its latency). Latency is measured from the due time, so a
 * stalled server cannot hide behind a slowed-down client (no coordinated
 * omission). `makeRequest()` returns {method, path, headers, body}.
 */
export async function pacedRun({ url, rate, seconds, makeRequest, maxInFlight = 256 }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight });
  const latencies = [];
  let ok = 0;
  let failed = 0;
  let firstFailure;
  let inFlight = 0;
  let waiting = [];
  const started = performance.now();
  const total = Math.floor(rate * seconds);
  const pending = [];

  const send = (due) =>
    new Promise((resolve) => {
      const spec = makeRequest();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: spec.method ?? 'GET',
          path: spec.path,
          headers: spec.headers,
          agent,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (res.statusCode === 200) ok++;
            else {
              failed++;
              firstFailure ??= `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`;
            }
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        failed++;
        firstFailure ??= error.message;
        resolve();
      });
      req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
      req.end(spec.body);
    });

  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= maxInFlight) await new Promise((r) => waiting.push(r));
    inFlight++;
    pending.push(
      send(due).then(() => {
        inFlight--;
        const next = waiting.shift();
        if (next) next();
      }),
    );
  }
  await Promise.all(pending);
  waiting = [];
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const elapsed = (performance.now() - started) / 1000;
  return {
    rps: ok / elapsed,
    ok,
    non2xx: failed,
    total: ok + failed,
    seconds: elapsed,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    firstFailure,
  };
}
