import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A stand-in for the client application's redirect URI: a local HTTP server
 * that records every request's URL (the authorization response arrives as
 * its query, RFC 6749 §4.1.2) and answers with a plain page.
 */
export class CallbackServer {
  /** Every URL requested, in order (path and query). */
  readonly received: URL[] = [];
  private server?: Server;
  private port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.received.push(new URL(req.url ?? '/', this.origin));
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      res.end(
        '<!doctype html><html lang="en"><title>Client</title><h1>Callback received</h1></html>',
      );
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>`: loopback http is a valid redirect URI (RFC 8252 §7.3). */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last request that came to `path` with this `state`, if any. */
  callbackFor(path: string, state: string): URLSearchParams | undefined {
    return this.received
      .filter((url) => url.pathname === path && url.searchParams.get('state') === state)
      .at(-1)?.searchParams;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
