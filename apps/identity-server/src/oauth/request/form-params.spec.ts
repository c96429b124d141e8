import { OAuthError } from '../errors/oauth.error';
import { FormParams, ParsedRequest } from './form-params';
import { formRequest } from './form-request.testing';

function refusal(req: ParsedRequest): string | undefined {
  try {
    FormParams.fromRequest(req);
    return undefined;
  } catch (error) {
    return error instanceof OAuthError ? `${error.code}: ${error.description}` : String(error);
  }
}

describe('FormParams', () => {
  it('reads parameters and treats an empty one as absent', () => {
    const params = FormParams.fromRequest(formRequest({ grant_type: 'password', scope: '' }));
    expect(params.get('grant_type')).toBe('password');
    expect(params.get('scope')).toBeUndefined();
    expect(() => params.require('scope')).toThrow('parameter scope is missing');
  });

  it('refuses a repeated parameter', () => {
    expect(refusal(formRequest({ scope: ['a', 'b'] }))).toBe(
      'invalid_request: parameter scope is repeated',
    );
  });

  it.each([
    ['a JSON body', { 'content-type': 'application/json', 'content-length': '2' }],
    ['no body at all', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content type', { 'content-length': '2' }],
  ])('refuses %s', (_name, headers) => {
    const req = { headers, body: {} } as unknown as ParsedRequest;
    expect(refusal(req)).toBe('invalid_request: the body must be application/x-www-form-urlencoded');
  });

  it('accepts the form type with a charset parameter', () => {
    const req = formRequest({ a: '1' });
    req.headers['content-type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
    expect(FormParams.fromRequest(req).get('a')).toBe('1');
  });
});
