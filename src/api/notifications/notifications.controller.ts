import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { SIGNED_IN, STAFF } from '../auth/roles';
import { DeliveryQuery, UserChannelsDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';
import { ParseUuidPipe } from '../common/pipes';

@ApiTags('notifications')
@Controller()
export class NotificationsController {
  constructor(private readonly service: NotificationsService) {}

  /** The delivery log: channel, recipient, status, attempts, last error and the provider's answer. */
  @Get('notifications')
  @Allow(...STAFF)
  deliveries(@Query() q: DeliveryQuery) {
    return this.service.deliveries(q);
  }

  @Get('me/notifications')
  @Allow(...SIGNED_IN)
  inbox(@Auth() auth: Principal) {
    return this.service.inbox(auth);
  }

  @Put('users/:id/channels')
  @Allow(...SIGNED_IN)
  setChannels(@Auth() auth: Principal, @Param('id', ParseUuidPipe) id: string, @Body() dto: UserChannelsDto) {
    return this.service.setChannels(auth, id, dto);
  }
}
