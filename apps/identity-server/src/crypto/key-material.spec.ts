import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { KeyEncryptionKeyError, KeyMaterial } from './key-material';

describe('KeyMaterial', () => {
  let dir: string;
  let file: string;
  const material = (env: Record<string, string> = {}) =>
    new KeyMaterial(
      loadConfig({ NODE_ENV: 'test', KEY_ENCRYPTION_KEY_FILE: file, LOG_LEVEL: 'silent', ...env }),
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-key-material-'));
    file = join(dir, 'sub', 'kek');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a generated key only when asked (the key ring asks once it has seen nothing sealed), mode 600', () => {
    const generated = material();
    expect(generated.generatedKeyFile).toBe(file);
    expect(existsSync(file)).toBe(false);

    generated.keepGeneratedKey();
    expect(generated.generatedKeyFile).toBeUndefined();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const reloaded = material();
    expect(reloaded.generatedKeyFile).toBeUndefined();
    expect(reloaded.keyFor('client-secret-hash')).toEqual(generated.keyFor('client-secret-hash'));
  });

  it('never overwrites a key file another process wrote in the meantime', () => {
    const late = material();
    material().keepGeneratedKey();
    const written = readFileSync(file, 'utf8');
    expect(() => late.keepGeneratedKey()).toThrow(KeyEncryptionKeyError);
    expect(() => late.keepGeneratedKey()).toThrow('was created by another process');
    expect(readFileSync(file, 'utf8')).toBe(written);
  });

  it('names where the key came from, never the key', () => {
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(material({ KEY_ENCRYPTION_KEY: key }).source).toBe('KEY_ENCRYPTION_KEY');
    writeFileSync(join(dir, 'kek-file'), `${key}\n`, { mode: 0o600 });
    const fromFile = material({ KEY_ENCRYPTION_KEY_FILE: join(dir, 'kek-file') });
    expect(fromFile.source).toBe(`the key in KEY_ENCRYPTION_KEY_FILE (${join(dir, 'kek-file')})`);
    expect(fromFile.generatedKeyFile).toBeUndefined();
    expect(fromFile.keyFor('browser-csrf')).toEqual(
      material({ KEY_ENCRYPTION_KEY: key }).keyFor('browser-csrf'),
    );
  });
});
