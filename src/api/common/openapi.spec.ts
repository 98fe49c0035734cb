import { describe, expect, it } from '@jest/globals';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
/** @nestjs/swagger's metadata keys (its package exports do not expose the constants module). */
const DECORATORS = { API_RESPONSE: 'swagger/apiResponse', API_OPERATION: 'swagger/apiOperation' };
import { Allow, Public } from '../auth/decorators';
import { Idempotent } from './idempotency';
import { ApiOp } from './openapi';

class ItemDto {}

describe('@ApiOp', () => {
  it('documents the summary, the success status Nest answers with, and the error statuses', () => {
    @Controller('x')
    class X {
      @ApiOp({ summary: '创建 / Create', ok: ItemDto, errors: [409] })
      @Post()
      @Idempotent()
      @Allow('dispatcher')
      create() {}

      @ApiOp({ summary: '查看 / Read', ok: [ItemDto] })
      @Post('preview')
      @HttpCode(200)
      @Public()
      preview() {}
    }
    const responses = Reflect.getMetadata(DECORATORS.API_RESPONSE, X.prototype.create);
    expect(Object.keys(responses).sort()).toEqual(['201', '400', '401', '403', '409', '422']);
    expect(responses['201'].type).toBe(ItemDto);
    expect(Reflect.getMetadata(DECORATORS.API_OPERATION, X.prototype.create).summary).toBe('创建 / Create');
    expect(Object.keys(Reflect.getMetadata(DECORATORS.API_RESPONSE, X.prototype.preview)).sort()).toEqual(['200', '400']);
  });

  it('refuses to start when misplaced or when the summary is not zh-CN / English', () => {
    expect(() => {
      class Y {
        @Get()
        @ApiOp({ summary: '读 / Read', ok: ItemDto })
        @Allow('dispatcher')
        read() {}
      }
      return Y;
    }).toThrow(/must sit above @Get/);
    expect(() => {
      class Z {
        @ApiOp({ summary: 'Read only English', ok: ItemDto })
        @Get()
        @Allow('dispatcher')
        read() {}
      }
      return Z;
    }).toThrow(/summary must read/);
    expect(() => {
      class W {
        @ApiOp({ summary: '读 / Read', ok: ItemDto })
        @Get()
        read() {}
      }
      return W;
    }).toThrow(/@Allow/);
  });
});
