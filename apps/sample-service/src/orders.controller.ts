import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, Principal, RequireScopes } from '@tessera/auth-guard';
import { randomUUID } from 'node:crypto';

interface Order {
  id: string;
  item: string;
  placedBy: string;
}

/** Orders, kept in memory: this service exists to show the guard, not to sell anything. */
@Controller('orders')
export class OrdersController {
  private readonly orders: Order[] = [];

  @Get()
  @RequireScopes('orders:read')
  list(): { orders: Order[] } {
    return { orders: this.orders.slice(-100) };
  }

  @Post()
  @HttpCode(201)
  @RequireScopes('orders:write')
  place(@CurrentPrincipal() principal: Principal, @Body() body: { item?: unknown }): Order {
    const item = typeof body?.item === 'string' ? body.item.slice(0, 200) : 'unnamed item';
    const order = { id: randomUUID(), item, placedBy: principal.subject };
    this.orders.push(order);
    return order;
  }
}
