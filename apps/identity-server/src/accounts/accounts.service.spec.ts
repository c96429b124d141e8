import { EventEmitterModule } from '@nestjs/event-emitter';
import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import * as bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuditService } from '../audit/audit.service';
import { StatusCaches } from '../common/status-caches';
import { AppConfig, loadConfig } from '../config/app-config';
import { buildDataSourceOptions } from '../database/data-source-options';
import { AccountsService } from './accounts.service';
import { PasswordHasher } from './password-hasher';
import { PermissionEntity } from './permission.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';

/** The real hasher, counting every bcrypt operation the service asks of it. */
class CountingPasswordHasher extends PasswordHasher {
  calls = { verify: 0, burn: 0, hash: 0 };

  reset(): void {
    this.calls = { verify: 0, burn: 0, hash: 0 };
  }

  override verify(password: string, hash: string): Promise<boolean> {
    this.calls.verify++;
    return super.verify(password, hash);
  }

  override burn(password: string): Promise<void> {
    this.calls.burn++;
    return super.burn(password);
  }

  override hash(password: string): Promise<string> {
    this.calls.hash++;
    return super.hash(password);
  }
}

interface Harness {
  module: TestingModule;
  accounts: AccountsService;
  hasher: CountingPasswordHasher;
  users: Repository<UserEntity>;
  audit: AuditService;
}

/** AccountsService over a migrated in-memory SQLite database, with the real audit log and config. */
async function buildAccounts(bcryptCost: number): Promise<Harness> {
  const config = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_COST: String(bcryptCost),
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOGIN_MAX_FAILED_ATTEMPTS: '2',
  });
  const hasher = new CountingPasswordHasher(config);
  const module = await Test.createTestingModule({
    imports: [
      EventEmitterModule.forRoot(),
      TypeOrmModule.forRoot({
        ...buildDataSourceOptions({ kind: 'sqlite', path: ':memory:', connectAttempts: 1 }),
        migrationsRun: true,
      }),
      TypeOrmModule.forFeature([UserEntity, RoleEntity, PermissionEntity]),
      AuditModule,
    ],
    providers: [
      AccountsService,
      { provide: AppConfig, useValue: config },
      { provide: PasswordHasher, useValue: hasher },
      StatusCaches,
    ],
  }).compile();
  module.useLogger(false);
  return {
    module,
    accounts: module.get(AccountsService),
    hasher,
    users: module.get<Repository<UserEntity>>(getRepositoryToken(UserEntity)),
    audit: module.get(AuditService),
  };
}

let counter = 0;
async function newUser(h: Harness): Promise<{ id: string; username: string; password: string }> {
  const username = `user-${++counter}-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const { id } = await h.accounts.createUser({ username, password });
  return { id, username, password };
}

/** Exactly one bcrypt operation, of the named kind, since the last reset. */
function expectOneBcrypt(hasher: CountingPasswordHasher, kind: 'verify' | 'burn'): void {
  expect(hasher.calls).toEqual({
    verify: kind === 'verify' ? 1 : 0,
    burn: kind === 'burn' ? 1 : 0,
    hash: 0,
  });
}

describe('AccountsService.verifyPassword: no user enumeration by timing (one bcrypt on every path)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await buildAccounts(4);
  });
  afterAll(async () => {
    await h?.module.close();
  });
  beforeEach(() => h.hasher.reset());

  it('spends one comparison on an unknown user', async () => {
    const result = await h.accounts.verifyPassword('nobody-by-this-name', 'whatever');
    expect(result).toEqual({ ok: false, reason: 'unknown_user' });
    expectOneBcrypt(h.hasher, 'burn');
  });

  it('spends one comparison on a wrong password', async () => {
    const user = await newUser(h);
    h.hasher.reset();
    const result = await h.accounts.verifyPassword(user.username, 'not-the-password');
    expect(result).toMatchObject({ ok: false, reason: 'wrong_password', lockedNow: false });
    expectOneBcrypt(h.hasher, 'verify');
  });

  it('spends one comparison on the right password', async () => {
    const user = await newUser(h);
    h.hasher.reset();
    const result = await h.accounts.verifyPassword(user.username.toUpperCase(), user.password);
    expect(result).toMatchObject({ ok: true, account: { id: user.id, username: user.username } });
    expectOneBcrypt(h.hasher, 'verify');
  });

  it('spends one comparison on a disabled account, and refuses even the right password', async () => {
    const user = await newUser(h);
    await h.users.update({ id: user.id }, { status: 'disabled' });
    h.hasher.reset();
    const result = await h.accounts.verifyPassword(user.username, user.password);
    expect(result).toMatchObject({ ok: false, reason: 'disabled' });
    expectOneBcrypt(h.hasher, 'verify');

    h.hasher.reset();
    expect(await h.accounts.verifyPassword(user.username, 'wrong')).toMatchObject({
      ok: false,
      reason: 'disabled',
    });
    expectOneBcrypt(h.hasher, 'verify');
  });

  it('spends one comparison on each attempt that locks an account and on a locked one, and refuses even the right password', async () => {
    const user = await newUser(h);
    for (const expected of [false, true]) {
      h.hasher.reset();
      const attempt = await h.accounts.verifyPassword(user.username, 'wrong');
      // LOGIN_MAX_FAILED_ATTEMPTS=2: the second consecutive failure locks.
      expect(attempt).toMatchObject({ ok: false, reason: 'wrong_password', lockedNow: expected });
      expectOneBcrypt(h.hasher, 'verify');
    }
    const locked = await h.audit.recent('user.locked');
    expect(locked.some((event) => event.subjectId === user.id)).toBe(true);

    h.hasher.reset();
    const result = await h.accounts.verifyPassword(user.username, user.password);
    expect(result).toMatchObject({ ok: false, reason: 'locked' });
    expectOneBcrypt(h.hasher, 'verify');
  });

  it('gives the caller nothing but ok:false on every failure path', async () => {
    const wrong = await newUser(h);
    const disabled = await newUser(h);
    await h.users.update({ id: disabled.id }, { status: 'disabled' });
    const locked = await newUser(h);
    await h.users.update(
      { id: locked.id },
      { status: 'locked', lockedUntil: new Date(Date.now() + 60_000) },
    );

    const answers = [
      await h.accounts.verifyPassword('no-such-user', 'x'),
      await h.accounts.verifyPassword(wrong.username, 'x'),
      await h.accounts.verifyPassword(disabled.username, disabled.password),
      await h.accounts.verifyPassword(locked.username, locked.password),
    ];
    expect(answers.map((answer) => answer.ok)).toEqual([false, false, false, false]);
    for (const answer of answers) expect(answer).not.toHaveProperty('account');
  });
});

describe('AccountsService.verifyPassword: bcrypt cost (configured 5) and upgrade at login', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await buildAccounts(5);
  });
  afterAll(async () => {
    await h?.module.close();
  });

  /** A user whose stored hash was made at cost 4, before the configured cost was raised to 5. */
  async function legacyUser() {
    const user = await newUser(h);
    const legacyHash = await bcrypt.hash(user.password, 4);
    await h.users.update({ id: user.id }, { passwordHash: legacyHash });
    return { ...user, legacyHash };
  }
  const storedHash = async (id: string) => (await h.users.findOneByOrFail({ id })).passwordHash;

  it('re-hashes at the configured cost after the next successful login', async () => {
    const user = await legacyUser();
    expect(user.legacyHash.startsWith('$2b$04$')).toBe(true);
    h.hasher.reset();
    expect(await h.accounts.verifyPassword(user.username, user.password)).toMatchObject({
      ok: true,
    });
    // The check itself is still one comparison; the re-hash happens only once the password is known right.
    expect(h.hasher.calls).toEqual({ verify: 1, burn: 0, hash: 1 });

    const upgraded = await storedHash(user.id);
    expect(upgraded.startsWith('$2b$05$')).toBe(true);
    expect(await bcrypt.compare(user.password, upgraded)).toBe(true);

    h.hasher.reset();
    expect(await h.accounts.verifyPassword(user.username, user.password)).toMatchObject({
      ok: true,
    });
    expect(h.hasher.calls).toEqual({ verify: 1, burn: 0, hash: 0 });
    expect(await storedHash(user.id)).toBe(upgraded);
  });

  it('leaves the hash alone after a failed login', async () => {
    const user = await legacyUser();
    h.hasher.reset();
    expect(await h.accounts.verifyPassword(user.username, 'not-the-password')).toMatchObject({
      ok: false,
    });
    expect(h.hasher.calls).toEqual({ verify: 1, burn: 0, hash: 0 });
    expect(await storedHash(user.id)).toBe(user.legacyHash);
  });

  it("burns an unknown user's attempt against a dummy hash made at the configured cost", async () => {
    h.hasher.reset();
    expect(await h.accounts.verifyPassword('nobody-by-this-name', 'whatever')).toMatchObject({
      ok: false,
    });
    expectOneBcrypt(h.hasher, 'burn');
    // A cheaper dummy hash would make the unknown-user path answer faster than a real account's.
    const dummy = await (h.hasher as unknown as { dummyHash: Promise<string> }).dummyHash;
    expect(bcrypt.getRounds(dummy)).toBe(5);
  });

  it('hashes new passwords at the configured cost', async () => {
    const user = await newUser(h);
    expect((await storedHash(user.id)).startsWith('$2b$05$')).toBe(true);
  });
});
