// The bench's own MariaDB databases: created fresh for each phase, dropped at the end.
import mysql from 'mysql2/promise';

/** BENCH_MYSQL_URL: the server, without a database (default root with no password on loopback). */
export const MYSQL_SERVER_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

const created = new Set();

async function withConnection(fn) {
  const connection = await mysql.createConnection(MYSQL_SERVER_URL);
  try {
    return await fn(connection);
  } finally {
    await connection.end();
  }
}

/** Creates an empty database (utf8mb4, binary collation as Tessera's migrations expect) and returns its URL. */
export async function createDatabase(name) {
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`bad database name ${name}`);
  await withConnection(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  });
  created.add(name);
  return `${MYSQL_SERVER_URL.replace(/\/+$/, '')}/${name}`;
}

/** Drops every database this run created. */
export async function dropDatabases() {
  if (created.size === 0) return;
  await withConnection(async (c) => {
    for (const name of created) {
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      created.delete(name);
    }
  });
}
