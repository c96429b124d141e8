// "bcrypt alone": the ceiling of the password grant. A bare node:http server
// whose every POST is one bcrypt.compare at BCRYPT_COST (the asynchronous API,
// on libuv's thread pool, with the same UV_THREADPOOL_SIZE as the identity
// server), of the password Tessera's bench account has. Loaded exactly like
// Tessera's password grant (same connections, same body), so the ratio of the
// two is what Tessera keeps of what bcrypt allows on these cores.
//
// Environment: BCRYPT_PORT, BCRYPT_COST (default 11), BENCH_PASSWORD.
import { createServer } from 'node:http';
import bcrypt from 'bcrypt';

const port = Number(process.env.BCRYPT_PORT ?? 3200);
const cost = Number(process.env.BCRYPT_COST ?? 11);
const password = process.env.BENCH_PASSWORD ?? 'bench-password-123';
const hash = await bcrypt.hash(password, cost);

const server = createServer((req, res) => {
  // Drain the body like a form parser would; the compare does not depend on it.
  req.resume();
  req.on('end', () => {
    bcrypt.compare(password, hash).then(
      (ok) => {
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
        res.end(ok ? '{"ok":true}' : '{"ok":false}');
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`bcrypt-alone (cost ${cost}) listening on http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
