import { Injectable, OnModuleInit, Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Handler, publicRouteConflict, publicRouteError, routeNeedsOf } from './route-needs';

/**
 * At startup, refuses every controller method that is `@Public()` and also
 * carries a requirement, naming each one, so the application does not start
 * with a route that would be open. The guard refuses the same routes when it
 * evaluates them (500), for handlers this scan does not see.
 */
@Injectable()
export class PublicRoutesCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const conflicts = new Set<string>();
    for (const wrapper of this.discovery.getControllers()) {
      const cls = wrapper.metatype as Type | null;
      const prototype = cls?.prototype as Record<string, Handler> | undefined;
      if (!cls || !prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const needs = routeNeedsOf(this.reflector, cls, prototype[method]);
        const conflict = publicRouteConflict(cls, method, needs);
        if (conflict) conflicts.add(conflict);
      }
    }
    if (conflicts.size > 0) throw publicRouteError([...conflicts]);
  }
}
