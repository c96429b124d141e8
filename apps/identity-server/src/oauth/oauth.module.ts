import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { AuditModule } from '../audit/audit.module';
import { ClientsModule } from '../clients/clients.module';
import { CryptoModule } from '../crypto/crypto.module';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AuthorizationCodeEntity } from './authorize/authorization-code.entity';
import { AuthorizationCodeStore } from './authorize/authorization-code.store';
import { AuthorizationCodesEndedListener } from './authorize/authorization-codes-ended.listener';
import { AuthorizationInteractionEntity } from './authorize/authorization-interaction.entity';
import { AuthorizationRequestParser } from './authorize/authorization-request.parser';
import { AuthorizationService } from './authorize/authorization.service';
import { AuthorizeController } from './authorize/authorize.controller';
import { BrowserFlowHousekeeping } from './authorize/browser-flow-housekeeping';
import { ConsentEntity } from './authorize/consent.entity';
import { ConsentStore } from './authorize/consent.store';
import { ConsentsController } from './authorize/consents.controller';
import { ConsentsService } from './authorize/consents.service';
import { InteractionController } from './authorize/interaction.controller';
import { InteractionStore } from './authorize/interaction.store';
import { LogoutController } from './authorize/logout.controller';
import { LogoutRequestParser } from './authorize/logout-request.parser';
import { ClientAuthenticator } from './client-auth/client-authenticator';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant';
import { ClientCredentialsGrant } from './grants/client-credentials.grant';
import { GRANT_HANDLERS, GrantRegistry } from './grants/grant-registry';
import { GrantHandler } from './grants/grant-handler';
import { PasswordGrant } from './grants/password.grant';
import { RefreshTokenGrant } from './grants/refresh-token.grant';
import { IntrospectionEndpoint } from './endpoints/introspection.endpoint';
import { AccountGrantsEndedListener } from './listeners/account-grants-ended.listener';
import { ClientSuspendedListener } from './listeners/client-suspended.listener';
import { MetadataController } from './metadata.controller';
import { IdTokenIssuer } from './oidc/id-token.issuer';
import { OidcMetadata } from './oidc/oidc-metadata';
import { UserinfoController } from './oidc/userinfo.controller';
import { UserinfoService } from './oidc/userinfo.service';
import { ProtocolEndpoints } from './protocol-endpoints';
import { RevocationEndpoint } from './endpoints/revocation.endpoint';
import { TokenEndpoint } from './endpoints/token.endpoint';
import { TokenInspector } from './token-inspector';
import { AccessTokenIssuer } from './tokens/access-token.issuer';
import { AccessTokenRevocations } from './tokens/access-token-revocations';
import { RefreshTokenFamilyEntity } from './tokens/refresh-token-family.entity';
import { RefreshTokenStore } from './tokens/refresh-token.store';
import { RevokedAccessTokenEntity } from './tokens/revoked-access-token.entity';

/** The grants the token endpoint serves: one line each. */
const GRANTS = [PasswordGrant, ClientCredentialsGrant, RefreshTokenGrant, AuthorizationCodeGrant];

/** The OAuth 2.0 protocol endpoints: metadata, token, revocation, introspection. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      RefreshTokenFamilyEntity,
      RevokedAccessTokenEntity,
      AuthorizationInteractionEntity,
      AuthorizationCodeEntity,
      ConsentEntity,
    ]),
    AccountsModule,
    ClientsModule,
    KeysModule,
    CryptoModule,
    AuditModule,
    SessionsModule,
  ],
  controllers: [
    MetadataController,
    UserinfoController,
    // The browser flow (issue 6): authorization endpoint, interactions, logout, consents.
    AuthorizeController,
    InteractionController,
    LogoutController,
    ConsentsController,
  ],
  // TokenInspector: for the composition root's /api guard (see api/api-auth.module.ts).
  // ProtocolEndpoints: the token, revocation and introspection endpoints, attached to the
  // HTTP server in front of Nest by app.factory.ts.
  exports: [TokenInspector, ProtocolEndpoints],
  providers: [
    ProtocolEndpoints,
    TokenEndpoint,
    RevocationEndpoint,
    IntrospectionEndpoint,
    ...GRANTS,
    {
      provide: GRANT_HANDLERS,
      inject: GRANTS,
      useFactory: (...handlers: GrantHandler[]) => handlers,
    },
    GrantRegistry,
    ClientAuthenticator,
    AccessTokenIssuer,
    RefreshTokenStore,
    AccessTokenRevocations,
    TokenInspector,
    ClientSuspendedListener,
    AccountGrantsEndedListener,
    // OpenID Connect (issue 6): ID tokens, userinfo, the discovery members.
    IdTokenIssuer,
    UserinfoService,
    OidcMetadata,
    AuthorizationRequestParser,
    AuthorizationService,
    AuthorizationCodeStore,
    AuthorizationCodesEndedListener,
    InteractionStore,
    ConsentStore,
    ConsentsService,
    BrowserFlowHousekeeping,
    LogoutRequestParser,
  ],
})
export class OAuthModule {}
