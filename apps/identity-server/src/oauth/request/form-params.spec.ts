import { OAuthError } from '../errors/oauth.error';
import type { FormBody } from './form-body';
import { FormParams } from './form-params';

function refusal(body: FormBody | undefined): string | undefined {
  try {
    FormParams.fromBody(body);
    return undefined;
  } catch (error) {
    return error instanceof OAuthError ? `${error.code}: ${error.description}` : String(error);
  }
}

describe('FormParams', () => {
  it('reads parameters and treats an empty one as absent', () => {
    const params = FormParams.fromBody({ grant_type: 'password', scope: '' });
    expect(params.get('grant_type')).toBe('password');
    expect(params.get('scope')).toBeUndefined();
    expect(() => params.require('scope')).toThrow('parameter scope is missing');
  });

  it('refuses a repeated parameter', () => {
    expect(refusal({ grant_type: 'password', scope: ['a', 'b'] })).toBe(
      'invalid_request: parameter scope is repeated',
    );
  });

  it('refuses a request that had no form body (another content type, or none)', () => {
    expect(refusal(undefined)).toBe(
      'invalid_request: the body must be application/x-www-form-urlencoded',
    );
  });
});
