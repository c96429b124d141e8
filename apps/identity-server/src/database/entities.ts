import { PermissionEntity } from '../accounts/permission.entity';
import { RoleEntity } from '../accounts/role.entity';
import { UserEntity } from '../accounts/user.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { ClientSecretEntity } from '../clients/client-secret.entity';
import { ClientEntity } from '../clients/client.entity';
import { ScopeEntity } from '../clients/scope.entity';
import { SigningKeyEntity } from '../keys/signing-key.entity';
import { AuthorizationCodeEntity } from '../oauth/authorize/authorization-code.entity';
import { AuthorizationInteractionEntity } from '../oauth/authorize/authorization-interaction.entity';
import { ConsentEntity } from '../oauth/authorize/consent.entity';
import { RefreshTokenFamilyEntity } from '../oauth/tokens/refresh-token-family.entity';
import { RevokedAccessTokenEntity } from '../oauth/tokens/revoked-access-token.entity';
import { BrowserSessionEntity } from '../sessions/browser-session.entity';

/** Every entity of the schema. Each stays private to its module; this list only registers them. */
export const ENTITIES = [
  UserEntity,
  RoleEntity,
  PermissionEntity,
  ClientEntity,
  ClientSecretEntity,
  ScopeEntity,
  SigningKeyEntity,
  RefreshTokenFamilyEntity,
  RevokedAccessTokenEntity,
  AuditEventEntity,
  BrowserSessionEntity,
  AuthorizationInteractionEntity,
  AuthorizationCodeEntity,
  ConsentEntity,
];
