// "The RS256 floor": the least a Node.js process can do to answer an RS256
// client_credentials request, measured beside Tessera and oidc-provider so that
// the RS256 bar can be read against what this machine allows any Node server.
//
// A bare node:http server. Each POST: the body is read and parsed as a form,
// the Basic credentials are compared in constant time with the one client's,
// an RFC 9068 access token with Tessera's claims and header is signed with
// RS256 asynchronously on libuv's thread pool (so both cores sign, as in
// Tessera), and the token response goes back with `no-store`. No database, no
// framework, no logging, no validation beyond that: nothing a real token server
// could skip is here, and much that it must do is not.
//
// Environment: FLOOR_PORT, FLOOR_ISSUER, FLOOR_AUDIENCE, FLOOR_CLIENT_ID,
// FLOOR_CLIENT_SECRET. Two knobs try other designs of the same floor
// (bench/floor-variants.mjs; `npm run bench` uses neither): FLOOR_WORKERS=2
// serves from that many processes (node:cluster, each with its own key), and
// FLOOR_SIGN=sync signs on the process's own thread instead of the pool.
import cluster from 'node:cluster';
import { generateKeyPairSync, randomUUID, sign, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const workers = Number(process.env.FLOOR_WORKERS ?? 1);
const syncSign = process.env.FLOOR_SIGN === 'sync';
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
      process.exit(0);
    });
  }
} else {
  serve();
}

function serve() {
  // A worker whose primary is gone has no one left to stop it.
  if (cluster.isWorker) process.on('disconnect', () => process.exit(0));
  const port = Number(process.env.FLOOR_PORT ?? 3300);
  const issuer = process.env.FLOOR_ISSUER ?? `http://127.0.0.1:${port}`;
  const audience = process.env.FLOOR_AUDIENCE ?? 'tessera';
  const clientId = process.env.FLOOR_CLIENT_ID ?? 'bench-cc';
  const clientSecret = process.env.FLOOR_CLIENT_SECRET ?? 'bench-secret';
  const TTL = 900;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid })).toString(
    'base64url',
  );
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
  );

  function fail(res, status, error) {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error }));
  }

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('latin1'));
      const presented = Buffer.from(req.headers.authorization ?? '');
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
        return fail(res, 401, 'invalid_client');
      if (form.get('grant_type') !== 'client_credentials')
        return fail(res, 400, 'unsupported_grant_type');
      const scope = form.get('scope') ?? '';
      const iat = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer,
        sub: clientId,
        aud: audience,
        exp: iat + TTL,
        iat,
        jti: randomUUID(),
        client_id: clientId,
        scope,
      };
      const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const answer = (error, signature) => {
        if (error) return fail(res, 500, 'server_error');
        const body = JSON.stringify({
          access_token: `${input}.${signature.toString('base64url')}`,
          token_type: 'Bearer',
          expires_in: TTL,
          scope,
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          pragma: 'no-cache',
        });
        res.end(body);
      };
      if (syncSign) answer(null, sign('sha256', Buffer.from(input), privateKey));
      else sign('sha256', Buffer.from(input), privateKey, answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`rs256-floor listening on http://127.0.0.1:${port}\n`);
  });
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
}
