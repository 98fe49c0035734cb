import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { SIGNED_IN, STAFF } from '../auth/roles';
import { DeliveryQuery, UserChannelsDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';
import { ParseUuidPipe } from '../common/pipes';
import { ApiOp } from '../common/openapi';
import { CHANNELS, DELIVERIES, INBOX } from '../misc.responses';

@ApiTags('notifications')
@Controller()
export class NotificationsController {
  constructor(private readonly service: NotificationsService) {}

  /** The delivery log: channel, recipient, status, attempts, last error and the provider's answer. */
  @ApiOp({ summary: '通知投递记录 / The notification delivery log', ok: DELIVERIES })
  @Get('notifications')
  @Allow(...STAFF)
  deliveries(@Auth() auth: Principal, @Query() q: DeliveryQuery) {
    return this.service.deliveries(auth, q);
  }

  @ApiOp({ summary: '我的站内消息 / My in-app messages', ok: INBOX })
  @Get('me/notifications')
  @Allow(...SIGNED_IN)
  inbox(@Auth() auth: Principal) {
    return this.service.inbox(auth);
  }

  @ApiOp({ summary: '设置通知渠道与免打扰时段 / Set notification channels and quiet hours', ok: CHANNELS, errors: [422] })
  @Put('users/:id/channels')
  @Allow(...SIGNED_IN)
  setChannels(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: UserChannelsDto) {
    return this.service.setChannels(auth, id, dto);
  }
}
