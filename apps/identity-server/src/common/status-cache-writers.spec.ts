import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * The status caches are exact within a process only if every write to a
 * cached table invalidates (docs/performance.md, "Every write path"). This
 * spec reads the server's sources and fails on any write to those tables that
 * is not made inside an `afterWrite` / `afterClientWrite` / `afterAccountWrite`
 * call, unless it is listed below with the reason it needs none. A new writer
 * therefore either invalidates or is argued for here.
 */

/** The entities and tables behind a status cache. */
const CACHED_ENTITIES = [
  'ClientEntity',
  'ClientSecretEntity',
  'UserEntity',
  'RevokedAccessTokenEntity',
  'RefreshTokenFamilyEntity',
];
const CACHED_TABLES = [
  'clients',
  'client_secrets',
  'users',
  'user_roles',
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
const WRITE_SQL = new RegExp(
  `\\b(UPDATE|INSERT\\s+INTO|DELETE\\s+FROM|REPLACE\\s+INTO)\\s+(${CACHED_TABLES.join('|')})\\b`,
  'i',
);

/** `file: function`, and why that write invalidates nothing. */
const WRITES_THAT_NEED_NO_INVALIDATION: Record<string, string> = {
  'oauth/tokens/refresh-token.store.ts: redeem':
    'a rotation writes the token columns only, never revoked_at, the one cached fact',
  'oauth/tokens/refresh-token.store.ts: insertFamily':
    'a live grant changes no cached answer (an unknown grant already reads as not revoked); a revoked one is inserted through afterWrite',
};

const SOURCE_ROOT = join(__dirname, '..');
/** The entries of {@link WRITES_THAT_NEED_NO_INVALIDATION} that excused a write. */
const excusedWrites = new Set<string>();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

interface Write {
  where: string;
  line: number;
  text: string;
}

/** Writes to cached tables in one file that are not made inside an invalidating call. */
function uninvalidatedWrites(path: string, text = readFileSync(path, 'utf8')): Write[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const name = relative(SOURCE_ROOT, path);

  // Fields holding a repository of a cached entity: `@InjectRepository(XEntity) private readonly x`.
  const cachedRepos = new Set<string>();
  // Top-level constants holding write SQL on a cached table.
  const writeSqlConstants = new Set<string>();
  const found: Write[] = [];

  const visitDeclarations = (node: ts.Node): void => {
    if (ts.isParameter(node) && ts.isIdentifier(node.name)) {
      const injected = ts.getDecorators(node)?.some((decorator) => {
        const call = decorator.expression;
        return (
          ts.isCallExpression(call) &&
          call.expression.getText(file) === 'InjectRepository' &&
          CACHED_ENTITIES.includes(call.arguments[0]?.getText(file))
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
    ts.forEachChild(node, visitDeclarations);
  };

  const isWriteSql = (node: ts.Node): boolean =>
    (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) &&
    WRITE_SQL.test(node.getText(file));

  // Private helpers called only from inside invalidating calls (or from other such
  // helpers) write under that invalidation too: `disable`, run by `afterAccountWrite`.
  const covered = new Set<string>();
  const callSites = new Map<string, ts.Node[]>();
  const collectCalls = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.expression.kind === ts.SyntaxKind.ThisKeyword
    ) {
      const sites = callSites.get(node.expression.name.text) ?? [];
      callSites.set(node.expression.name.text, [...sites, node]);
    }
    ts.forEachChild(node, collectCalls);
  };
  collectCalls(file);
  const invalidated = (node: ts.Node): boolean =>
    insideInvalidatingCall(node) || covered.has(enclosingFunction(node));
  for (let grew = true; grew;) {
    grew = false;
    for (const [method, sites] of callSites) {
      if (!covered.has(method) && sites.every(invalidated)) {
        covered.add(method);
        grew = true;
      }
    }
  }

  const report = (node: ts.Node): void => {
    if (invalidated(node)) return;
    const where = `${name}: ${enclosingFunction(node)}`;
    if (WRITES_THAT_NEED_NO_INVALIDATION[where]) {
      excusedWrites.add(where);
      return;
    }
    found.push({
      where,
      line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1,
      text: node.getText(file).split('\n')[0],
    });
  };

  const visitUses = (node: ts.Node): void => {
    // this.<cached repo>.<write method>(…), and this.<cached repo>.manager…
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
      cachedRepos.has(node.expression.name.text) &&
      (WRITE_METHODS.has(node.name.text) || node.name.text === 'manager') &&
      !(node.name.text === 'createQueryBuilder' && readsOnly(node))
    )
      report(node);
    // Write SQL written in place, or a constant holding it.
    if (isWriteSql(node) && !ts.isVariableDeclaration(node.parent)) report(node);
    if (
      ts.isIdentifier(node) &&
      writeSqlConstants.has(node.text) &&
      !ts.isVariableDeclaration(node.parent)
    )
      report(node);
    ts.forEachChild(node, visitUses);
  };

  visitDeclarations(file);
  visitUses(file);
  return found;
}

/** A query-builder chain (`this.repo.createQueryBuilder()…`) that names no writing step. */
function readsOnly(node: ts.Node): boolean {
  const steps: string[] = [];
  let at: ts.Node = node;
  while (ts.isPropertyAccessExpression(at.parent) || ts.isCallExpression(at.parent)) {
    at = at.parent;
    if (ts.isPropertyAccessExpression(at)) steps.push(at.name.text);
  }
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
    const unlisted = files.flatMap((path) => uninvalidatedWrites(path));
    expect(unlisted.map((w) => `${w.where} (line ${w.line}): ${w.text}`)).toEqual([]);
    // And no excuse outlives the write it was written for.
    expect([...excusedWrites].sort()).toEqual(Object.keys(WRITES_THAT_NEED_NO_INVALIDATION).sort());
  });

  it('would catch a write that forgets to invalidate', () => {
    for (const [path, wrapper] of [
      ['clients/client-review.service.ts', 'afterClientWrite'],
      ['accounts/users-admin.service.ts', 'afterAccountWrite'],
      ['oauth/tokens/access-token-revocations.ts', 'afterWrite'],
    ]) {
      const full = join(SOURCE_ROOT, path);
      const original = readFileSync(full, 'utf8');
      expect(uninvalidatedWrites(full, original)).toEqual([]);
      // The same file with its invalidating wrapper renamed away.
      const forgetful = original.split(`${wrapper}(`).join('withoutInvalidation(');
      expect(forgetful).not.toBe(original);
      expect(uninvalidatedWrites(full, forgetful).length).toBeGreaterThan(0);
    }
  });
});
