import {
  ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Optional,
  ServiceUnavailableException,
  Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { AUTH_GUARD_OPTIONS } from '../auth-guard.module-definition';
import {
  AuthGuardModuleOptions,
  TokenIntrospector,
  VerificationKeyResolver,
} from '../auth-guard.options';
import { BearerChallengeException } from '../bearer-challenge';
import {
  BEARER_SCHEME,
  bearerFromHeader,
  KEY_RESOLVER,
  STRATEGY_NAME,
  tokenFromQuery,
  verifiedWith,
} from '../access-token.strategy';
import { VerifiedTokenCache } from '../cache/verified-token.cache';
import { SigningKeysUnavailableError } from '../keys/signing-keys-unavailable.error';
import { Requirement } from '../decorators/requirements.decorator';
import { Principal } from '../principal';
import {
  Handler,
  publicRouteConflict,
  publicRouteError,
  RouteNeeds,
  routeNeedsOf,
} from './route-needs';

/** Injection token of the {@link TokenIntrospector} behind `@RequireActiveToken()`, when configured. */
export const TOKEN_INTROSPECTOR = Symbol('TOKEN_INTROSPECTOR');
/** Injection token of this module instance's {@link VerifiedTokenCache}, unless turned off. */
export const VERIFIED_TOKEN_CACHE = Symbol('VERIFIED_TOKEN_CACHE');

/** 503 while the signing keys cannot be obtained; the guard adds `Retry-After`. */
class KeysUnavailableException extends ServiceUnavailableException {
  constructor(readonly retryAfterSeconds: number) {
    super('the signing keys cannot be fetched now; try again later');
  }
}

/**
 * The global guard: every route needs a valid access token unless it is
 * `@Public()`. Then the route's scope, role and permission requirements, and
 * for `@RequireActiveToken()` routes an online check. Refusals follow RFC 6750
 * §3: no token → 401 with a bare `Bearer` challenge; a malformed request → 400
 * `invalid_request`; a bad token → 401 `invalid_token`; too little → 403
 * `insufficient_scope`. Signing keys that cannot be obtained → 503 with
 * `Retry-After`: a server-side failure, not the token's. A `@Public()` route
 * that also carries a requirement is a configuration error: it is refused with
 * 500, never opened.
 */
@Injectable()
export class AccessTokenGuard extends AuthGuard() {
  private readonly logger = new Logger('AuthGuard');
  private readonly realm: string;

  /**
   * What each route asks for, read once per (class, handler): decorators are
   * applied when classes are defined, so the metadata never changes afterwards.
   */
  private readonly routes = new WeakMap<Type, WeakMap<Handler, RouteNeeds>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_GUARD_OPTIONS) private readonly moduleOptions: AuthGuardModuleOptions,
    @Inject(STRATEGY_NAME) strategyName: string,
    @Optional() @Inject(TOKEN_INTROSPECTOR) private readonly introspector?: TokenIntrospector,
    @Optional()
    @Inject(VERIFIED_TOKEN_CACHE)
    private readonly verified?: VerifiedTokenCache<Principal>,
    @Optional() @Inject(KEY_RESOLVER) private readonly resolveKey?: VerificationKeyResolver,
  ) {
    // The strategy of this module instance, by its own name (see STRATEGY_NAME).
    super({ defaultStrategy: strategyName, session: false });
    this.realm = moduleOptions.realm ?? 'api';
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.needsOf(context.getClass(), context.getHandler());
    if (route.isPublic) return true;
    // Deny by default everywhere: only an HTTP request carries a bearer token this
    // guard can check, so a handler reached another way (RPC, WebSocket, GraphQL)
    // is refused unless it says @Public() and authenticates by its own means.
    if (context.getType() !== 'http') return false;

    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    try {
      const extracted = this.extractToken(req);
      if (!extracted) throw new BearerChallengeException(this.realm);
      const { token, fromQuery } = extracted;
      // Routes with the online check always verify in full and do not feed the cache.
      const cache = route.requiresActiveToken ? undefined : this.verified;
      const remembered =
        cache && this.resolveKey ? await cache.find(token, this.resolveKey) : undefined;
      let principal: Principal;
      if (remembered) {
        // The same bytes passed every check before (see VerifiedTokenCache).
        principal = remembered;
        (req as { user?: unknown }).user = principal;
      } else {
        await super.canActivate(context);
        principal = req.user as Principal;
        const used = verifiedWith.get(req);
        if (cache && used) cache.remember(token, principal, used.key, used.lookup);
      }
      this.checkRequirements(principal, route.requirements);
      if (route.requiresActiveToken) await this.checkActive(token);
      // RFC 6750 §2.3: a success response to a request with the token in the URI is private.
      if (fromQuery) res.setHeader('Cache-Control', 'private');
      return true;
    } catch (error) {
      if (error instanceof BearerChallengeException)
        res.setHeader('WWW-Authenticate', error.challenge);
      // RFC 9110 §10.2.3: when to try again, in seconds.
      else if (error instanceof KeysUnavailableException)
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  /**
   * Called by @nestjs/passport with the strategy's outcome. Every failure is
   * `invalid_token`, except signing keys that cannot be obtained: RFC 6750
   * §3.1's invalid_token means a bad token, and clients drop and refresh it,
   * adding load to an issuer that is down. That is a 503.
   */
  override handleRequest<TUser = Principal>(
    err: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    if (err || !user) {
      const cause = err ?? info;
      if (cause instanceof SigningKeysUnavailableError) {
        // The default resolver logs its own failures (once per fetch); another resolver's error is logged here.
        if (cause.cause !== undefined)
          this.logger.warn(`the key resolver failed: ${describeCause(cause.cause)}`);
        else this.logger.debug('token not checked: signing keys unavailable');
        throw new KeysUnavailableException(cause.retryAfterSeconds);
      }
      this.logger.debug(`token refused: ${describeCause(cause)}`);
      throw new BearerChallengeException(this.realm, 'invalid_token', describeFailure(cause));
    }
    return user;
  }

  private extractToken(req: Request): { token: string; fromQuery: boolean } | null {
    const raw = req.headers.authorization;
    // RFC 9110 §11.6.2: Authorization holds one credentials, not a list. Node keeps only
    // the first of several lines, so count the raw ones.
    if (raw !== undefined && authorizationLines(req.rawHeaders) > 1) {
      throw new BearerChallengeException(
        this.realm,
        'invalid_request',
        'send one Authorization header',
      );
    }
    const query = (req.query as Record<string, unknown> | undefined)?.access_token;
    if (query !== undefined && !this.moduleOptions.allowQueryToken) {
      // RFC 6750 §2.3 is optional and leaks tokens into logs; refuse it plainly.
      throw new BearerChallengeException(
        this.realm,
        'invalid_request',
        'access tokens are not accepted in the query string',
      );
    }
    const fromHeader = raw === undefined ? null : bearerFromHeader(req);
    // RFC 6750 §2.1: the whole value is `Bearer 1*SP b64token`; anything else under the
    // scheme is malformed (another scheme is no Bearer token at all).
    if (fromHeader === null && raw !== undefined) {
      const header = raw.trim();
      if (BEARER_SCHEME.test(header))
        throw new BearerChallengeException(
          this.realm,
          'invalid_request',
          /^bearer\s*$/i.test(header)
            ? 'the Bearer credentials are empty'
            : 'the Bearer credentials are malformed',
        );
    }
    if (query === undefined)
      return fromHeader === null ? null : { token: fromHeader, fromQuery: false };
    // RFC 6750 §2: one method per request; §3.1: more than one is invalid_request.
    const fromQuery = tokenFromQuery(req);
    if (fromHeader !== null || fromQuery === null) {
      throw new BearerChallengeException(
        this.realm,
        'invalid_request',
        'send exactly one access token, in one way',
      );
    }
    return { token: fromQuery, fromQuery: true };
  }

  private needsOf(cls: Type, handler: Handler): RouteNeeds {
    let byHandler = this.routes.get(cls);
    if (!byHandler) this.routes.set(cls, (byHandler = new WeakMap()));
    let needs = byHandler.get(handler);
    if (!needs) {
      needs = routeNeedsOf(this.reflector, cls, handler);
      // Fail closed (500, logged by Nest) where PublicRoutesCheck did not see the handler.
      const conflict = publicRouteConflict(cls, handler.name, needs);
      if (conflict) throw publicRouteError([conflict]);
      byHandler.set(handler, needs);
    }
    return needs;
  }

  private checkRequirements(principal: Principal, requirements: Requirement[]): void {
    for (const requirement of requirements) {
      const held =
        requirement.kind === 'scope'
          ? principal.scopes
          : requirement.kind === 'role'
            ? principal.roles
            : principal.permissions;
      const ok =
        requirement.mode === 'all'
          ? requirement.values.every((v) => held.includes(v))
          : requirement.values.some((v) => held.includes(v));
      if (ok) continue;
      const wording = `${requirement.mode === 'all' ? 'all of' : 'one of'} ${requirement.kind}s ${requirement.values.join(', ')}`;
      throw new BearerChallengeException(
        this.realm,
        'insufficient_scope',
        `this route needs ${wording}`,
        requirement.kind === 'scope' ? requirement.values : undefined,
      );
    }
  }

  private async checkActive(token: string): Promise<void> {
    if (!this.introspector)
      throw new Error('@RequireActiveToken() needs the `introspection` option of AuthGuardModule');
    let active: boolean;
    try {
      active = await this.introspector.isActive(token);
    } catch (error) {
      this.logger.warn(`introspection failed: ${describeCause(error)}`);
      throw new ServiceUnavailableException('the token could not be checked; try again');
    }
    if (!active)
      throw new BearerChallengeException(
        this.realm,
        'invalid_token',
        'the token is no longer active',
      );
  }
}

/** How many `Authorization` lines the raw headers hold, counting no further than two. */
function authorizationLines(rawHeaders: string[] | undefined): number {
  let lines = 0;
  for (let i = 0; rawHeaders && i < rawHeaders.length && lines < 2; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 13 && name.toLowerCase() === 'authorization') lines++;
  }
  return lines;
}

/** A short, safe reason: never the token, never a stack. */
function describeFailure(cause: unknown): string {
  if (!(cause instanceof Error)) return 'the access token is invalid';
  if (cause.name === 'TokenExpiredError') return 'the access token expired';
  if (cause.name === 'NotBeforeError') return 'the access token is not valid yet';
  return 'the access token is invalid';
}

const describeCause = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));
