import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * The status caches are exact within a process only if every write to a
 * cached table invalidates (docs/performance.md, "Every write path"). This
 * spec reads the server's sources and fails on any write to those tables that
 * is not made inside an `afterWrite` / `afterClientWrite` / `afterAccountWrite`
 * call (or inside a private helper called only from such calls), unless it is
 * listed below with the reason it needs none. A new writer therefore either
 * invalidates or is argued for here. Writers outside the server process (an
 * operator's SQL) are bounded by `STATUS_CACHE_TTL_MS` instead.
 *
 * What it sees: repositories injected with `@InjectRepository`, a cached
 * entity class passed to any call (`getRepository(UserEntity)`,
 * `manager.update(ClientEntity, …)`), and write SQL naming a cached table.
 * A reference it cannot follow (a repository copied to a local variable) is
 * beyond it; the synthetic cases at the end pin what it does catch.
 */

/** The entities and tables behind a status cache (principals join roles and permissions). */
const CACHED_ENTITIES = new Set([
  'ClientEntity',
  'ClientSecretEntity',
  'UserEntity',
  'RoleEntity',
  'PermissionEntity',
  'RevokedAccessTokenEntity',
  'RefreshTokenFamilyEntity',
]);
const CACHED_TABLES = [
  'clients',
  'client_secrets',
  'users',
  'user_roles',
  'roles',
  'permissions',
  'role_permissions',
  'revoked_access_tokens',
  'refresh_token_families',
];
const INVALIDATING_CALLS = new Set(['afterWrite', 'afterClientWrite', 'afterAccountWrite']);
/**
 * Repository members that write, or may (a query builder, the manager). A raw
 * `query()` is judged by its SQL instead: see {@link WRITE_SQL}.
 */
const WRITE_METHODS = new Set([
  'insert',
  'update',
  'delete',
  'save',
  'remove',
  'upsert',
  'increment',
  'decrement',
  'softDelete',
  'restore',
  'clear',
  'createQueryBuilder',
  'manager',
]);
const QUERY_BUILDER_WRITES = new Set([
  'update',
  'insert',
  'delete',
  'softDelete',
  'restore',
  'relation',
  'into',
]);
/** Our SQL keywords are upper case; matching them only so keeps prose ("update users") out. */
const WRITE_SQL = new RegExp(
  '\\b(?:UPDATE(?:\\s+IGNORE)?|(?:INSERT|REPLACE)(?:\\s+IGNORE)?\\s+INTO|DELETE(?:\\s+\\w+)?\\s+FROM)' +
    `\\s+[\`"]?(?:${CACHED_TABLES.join('|')})[\`"]?(?![\\w])`,
);

/** `file: function: write`, and why that write invalidates nothing. */
const WRITES_THAT_NEED_NO_INVALIDATION: Record<string, string> = {
  'oauth/tokens/refresh-token.store.ts: redeem: ROTATE':
    'a rotation writes the token columns only, never revoked_at, the one cached fact',
  'oauth/tokens/refresh-token.store.ts: redeem: this.families.manager':
    'the connection that runs ROTATE, above',
  'oauth/tokens/refresh-token.store.ts: undoRotation: UNDO_ROTATION':
    'taking a rotation back writes the token columns only, never revoked_at, the one cached fact',
  'oauth/tokens/refresh-token.store.ts: undoRotation: this.families.manager':
    'the connection that runs UNDO_ROTATION, above',
  'oauth/tokens/refresh-token.store.ts: insertFamily: this.families.insert':
    'a live grant changes no cached answer (an unknown grant already reads as not revoked); a revoked one is inserted through afterWrite',
};

const SOURCE_ROOT = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** One write found: `file: function: the write's first line`, and where. */
interface Write {
  key: string;
  line: number;
}

/** The writes to cached tables in `text` made outside any invalidation: those excused, and the rest. */
function scan(name: string, text: string): { unexcused: Write[]; excused: string[] } {
  const file = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);
  const cachedRepos = new Set<string>();
  const writeSqlConstants = new Set<string>();
  const privateMethods = new Set<string>();
  const references = new Map<string, ts.Node[]>();

  const isWriteSql = (node: ts.Node): boolean =>
    (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) &&
    WRITE_SQL.test(node.getText(file));

  const collect = (node: ts.Node): void => {
    // `@InjectRepository(XEntity) private readonly x`
    if (ts.isParameter(node) && ts.isIdentifier(node.name)) {
      const injected = ts.getDecorators(node)?.some((decorator) => {
        const call = decorator.expression;
        return (
          ts.isCallExpression(call) &&
          call.expression.getText(file) === 'InjectRepository' &&
          CACHED_ENTITIES.has(call.arguments[0]?.getText(file))
        );
      });
      if (injected) cachedRepos.add(node.name.text);
    }
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      isWriteSql(node.initializer)
    )
      writeSqlConstants.add(node.name.text);
    if (
      ts.isMethodDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)
    )
      privateMethods.add(node.name.text);
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword)
      references.set(node.name.text, [...(references.get(node.name.text) ?? []), node]);
    ts.forEachChild(node, collect);
  };
  collect(file);

  // A private helper writes under its callers' invalidation when every reference to it
  // is a call made inside one (or inside another such helper): `disable`, run by
  // `afterAccountWrite`. A helper passed by reference could run anywhere: not covered.
  const covered = new Set<string>();
  const invalidated = (node: ts.Node): boolean =>
    insideInvalidatingCall(node) || covered.has(enclosingFunction(node));
  for (let grew = true; grew;) {
    grew = false;
    for (const method of privateMethods) {
      const refs = references.get(method) ?? [];
      const onlyCalled = refs.every(
        (ref) => ts.isCallExpression(ref.parent) && ref.parent.expression === ref,
      );
      if (!covered.has(method) && refs.length > 0 && onlyCalled && refs.every(invalidated)) {
        covered.add(method);
        grew = true;
      }
    }
  }

  const unexcused: Write[] = [];
  const excused: string[] = [];
  const report = (node: ts.Node): void => {
    if (invalidated(node)) return;
    const key = `${name}: ${enclosingFunction(node)}: ${node.getText(file).split('\n')[0]}`;
    if (WRITES_THAT_NEED_NO_INVALIDATION[key]) excused.push(key);
    else
      unexcused.push({ key, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };

  const find = (node: ts.Node): void => {
    // this.<cached repository>.<writing member>
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
      cachedRepos.has(node.expression.name.text) &&
      WRITE_METHODS.has(node.name.text) &&
      !(node.name.text === 'createQueryBuilder' && readsOnly(node))
    )
      report(node);
    // A cached entity class handed to a call: getRepository(X), manager.update(X, …).
    if (
      ts.isCallExpression(node) &&
      node.expression.getText(file) !== 'InjectRepository' &&
      node.arguments.some((arg) => ts.isIdentifier(arg) && CACHED_ENTITIES.has(arg.text)) &&
      !(ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'relation')
    )
      report(node.expression);
    // Write SQL in place, or a constant holding it.
    if (isWriteSql(node) && !ts.isVariableDeclaration(node.parent)) report(node);
    if (
      ts.isIdentifier(node) &&
      writeSqlConstants.has(node.text) &&
      !ts.isVariableDeclaration(node.parent)
    )
      report(node);
    ts.forEachChild(node, find);
  };
  find(file);
  return { unexcused, excused };
}

/**
 * A query-builder chain (`this.repo.createQueryBuilder()…`) that names no
 * writing step and is not kept in a variable (whose later steps are not followed).
 */
function readsOnly(node: ts.Node): boolean {
  const steps: string[] = [];
  let at: ts.Node = node;
  while (ts.isPropertyAccessExpression(at.parent) || ts.isCallExpression(at.parent)) {
    at = at.parent;
    if (ts.isPropertyAccessExpression(at)) steps.push(at.name.text);
  }
  if (ts.isVariableDeclaration(at.parent) || ts.isBinaryExpression(at.parent)) return false;
  return !steps.some((step) => QUERY_BUILDER_WRITES.has(step));
}

function insideInvalidatingCall(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if (
      ts.isCallExpression(at) &&
      ts.isPropertyAccessExpression(at.expression) &&
      INVALIDATING_CALLS.has(at.expression.name.text)
    )
      return true;
  }
  return false;
}

function enclosingFunction(node: ts.Node): string {
  for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
    if ((ts.isMethodDeclaration(at) || ts.isFunctionDeclaration(at)) && at.name)
      return at.name.getText();
    if (ts.isConstructorDeclaration(at)) return 'constructor';
  }
  return '(top level)';
}

describe('writes to the tables behind the status caches', () => {
  const files = sourceFiles(SOURCE_ROOT);

  it('reads the server sources, the known writers among them', () => {
    const names = files.map((path) => relative(SOURCE_ROOT, path));
    expect(names).toEqual(
      expect.arrayContaining([
        'clients/clients.service.ts',
        'accounts/accounts.service.ts',
        'accounts/users-admin.service.ts',
        'oauth/tokens/refresh-token.store.ts',
        'oauth/tokens/access-token-revocations.ts',
      ]),
    );
  });

  it('are all made inside an invalidating call, or listed with the reason they need none', () => {
    const results = files.map((path) =>
      scan(relative(SOURCE_ROOT, path), readFileSync(path, 'utf8')),
    );
    const unexcused = results.flatMap((r) => r.unexcused);
    expect(unexcused.map((w) => `${w.key} (line ${w.line})`)).toEqual([]);
    // And no excuse outlives the write it was written for.
    expect(results.flatMap((r) => r.excused).sort()).toEqual(
      Object.keys(WRITES_THAT_NEED_NO_INVALIDATION).sort(),
    );
  });

  it('catches a real writer that forgets to invalidate', () => {
    for (const [path, wrapper] of [
      ['clients/client-review.service.ts', 'afterClientWrite'],
      ['accounts/users-admin.service.ts', 'afterAccountWrite'],
      ['oauth/tokens/access-token-revocations.ts', 'afterWrite'],
    ]) {
      const original = readFileSync(join(SOURCE_ROOT, path), 'utf8');
      expect(scan(path, original).unexcused).toEqual([]);
      const forgetful = original.split(`${wrapper}(`).join('withoutInvalidation(');
      expect(forgetful).not.toBe(original);
      expect(scan(path, forgetful).unexcused.length).toBeGreaterThan(0);
    }
  });

  describe('each way of writing it sees', () => {
    const service = (body: string) => `
      const WRITE = 'UPDATE users SET status = ? WHERE id = ?';
      class S {
        constructor(
          @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
          private readonly dataSource: DataSource,
          private readonly accounts: AccountsService,
        ) {}
        ${body}
      }`;
    const found = (body: string) => scan('probe.ts', service(body)).unexcused.map((w) => w.key);

    it.each([
      ['an injected repository', 'async m() { await this.users.update({ id }, { status }); }'],
      [
        'a query builder that writes',
        'async m() { await this.users.createQueryBuilder().update(UserEntity).execute(); }',
      ],
      [
        'a query builder kept in a variable',
        'async m() { const qb = this.users.createQueryBuilder(); await qb.execute(); }',
      ],
      [
        'a repository asked for by class',
        'async m() { await this.dataSource.getRepository(UserEntity).update({ id }, {}); }',
      ],
      [
        'the manager with a class',
        'async m() { await this.dataSource.manager.update(UserEntity, { id }, {}); }',
      ],
      [
        'a transaction',
        'async m() { await this.dataSource.transaction((em) => em.delete(UserEntity, { id })); }',
      ],
      [
        'SQL in place',
        "async m() { await this.dataSource.query('DELETE FROM `users` WHERE id = ?', [id]); }",
      ],
      ['SQL in a constant', 'async m() { await this.dataSource.query(WRITE, [s, id]); }'],
      [
        'a public helper',
        'async h() { await this.users.delete({ id }); } async m() { await this.accounts.afterAccountWrite(id, () => this.h()); }',
      ],
      [
        'a private helper also passed by reference',
        'private async h() { await this.users.delete({ id }); } async m() { await this.accounts.afterAccountWrite(id, () => this.h()); later(this.h); }',
      ],
    ])('%s, outside any invalidation', (_, body) => {
      expect(found(body)).not.toEqual([]);
    });

    it.each([
      [
        'a write inside the invalidating call',
        'async m() { await this.accounts.afterAccountWrite(id, () => this.users.update({ id }, {})); }',
      ],
      [
        'a private helper called only from there',
        'private async h() { await this.dataSource.query(WRITE, [s, id]); } async m() { await this.accounts.afterAccountWrite(id, () => this.h()); }',
      ],
      [
        'a read through a query builder',
        'async m() { return this.users.createQueryBuilder("u").where("u.id = :id", { id }).getOne(); }',
      ],
      [
        'a read in SQL, and prose that names the table',
        "async m() { await this.dataSource.query('SELECT id FROM users'); throw new Error('could not update users'); }",
      ],
    ])('not %s', (_, body) => {
      expect(found(body)).toEqual([]);
    });
  });
});
