import { NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { AssetsController } from './assets.controller';
import { ICON_ASSET, STYLESHEET_ASSET } from './assets';

function fakeResponse() {
  const sent: { headers: Record<string, string>; body?: string } = { headers: {} };
  const res = {
    setHeader(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return this;
    },
    send(body: string) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  return { res, sent };
}

describe('AssetsController', () => {
  const controller = new AssetsController();

  it('serves the stylesheet as CSS, cached for a year under its current hash', () => {
    const { res, sent } = fakeResponse();
    controller.serve('tessera.css', STYLESHEET_ASSET.hash, res);
    expect(sent.body).toBe(STYLESHEET_ASSET.body);
    expect(sent.body).toContain(':focus-visible');
    expect(sent.headers).toEqual({
      'content-type': 'text/css; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'",
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  it.each([undefined, '0123456789abcdef', ['a', 'b']])(
    'revalidates a URL without the current hash (v=%j)',
    (version) => {
      const { res, sent } = fakeResponse();
      controller.serve('tessera.css', version, res);
      expect(sent.headers['cache-control']).toBe('public, no-cache');
    },
  );

  it('serves the icon as SVG', () => {
    const { res, sent } = fakeResponse();
    controller.serve('tessera.svg', ICON_ASSET.hash, res);
    expect(sent.headers['content-type']).toBe('image/svg+xml');
    expect(sent.body).toMatch(/^<svg [^>]*>/);
    expect(sent.body).not.toMatch(/<script|href=|on[a-z]+=/i);
  });

  it('lets the icon apply its own style element and nothing else (CSP hash source)', () => {
    const { res, sent } = fakeResponse();
    controller.serve('tessera.svg', ICON_ASSET.hash, res);
    const styles = [...(sent.body ?? '').matchAll(/<style>([^<]*)<\/style>/g)];
    expect(styles).toHaveLength(1);
    const digest = createHash('sha256').update(styles[0][1]).digest('base64');
    expect(sent.headers['content-security-policy']).toBe(
      `default-src 'none'; style-src 'sha256-${digest}'`,
    );
    // The dark tiles take the dark palette's text colour under a dark scheme.
    expect(styles[0][1]).toMatch(/@media \(prefers-color-scheme:dark\)\{.*\.ink\{fill:#e9ecf3\}/);
  });

  it.each(['other.css', '..%2Fmain.js', '__proto__', 'constructor'])(
    'answers 404 for %s',
    (file) => {
      const { res, sent } = fakeResponse();
      expect(() => controller.serve(file, undefined, res)).toThrow(NotFoundException);
      expect(sent.body).toBeUndefined();
    },
  );
});
