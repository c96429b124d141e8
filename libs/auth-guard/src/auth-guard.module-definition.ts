import { ConfigurableModuleBuilder } from '@nestjs/common';
import { AuthGuardModuleOptions } from './auth-guard.options';

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<AuthGuardModuleOptions>().setClassMethodName('forRoot').build();

/** Injection token of the resolved {@link AuthGuardModuleOptions}. */
export const AUTH_GUARD_OPTIONS = MODULE_OPTIONS_TOKEN;
