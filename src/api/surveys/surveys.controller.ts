import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Allow, Public } from '../auth/decorators';
import { Auth, Principal } from '../auth/principal';
import { STAFF } from '../auth/roles';
import { ApiOp } from '../common/openapi';
import { SurveyAnswerDto, SurveyPeriodQuery } from './surveys.dto';
import { INCIDENT_SURVEY, SURVEY_ANSWERED, SURVEY_ANSWERS, SURVEY_PAGE, SURVEY_SUMMARY } from './surveys.responses';
import { SurveysService } from './surveys.service';

/** S8: the reporter's one-time link: no login; the signed token is the credential. */
@ApiTags('surveys')
@Controller('survey')
export class SurveyLinkController {
  constructor(private readonly service: SurveysService) {}

  @ApiOp({ summary: '满意度调查页面（一次性链接） / The satisfaction survey page (one-time link)', ok: SURVEY_PAGE, produces: 'text/html', errors: [404, 410, 429] })
  @Get(':token')
  @Public()
  @UseGuards(ThrottlerGuard)
  @Header('content-type', 'text/html; charset=utf-8')
  page(@Param('token') token: string) {
    return this.service.page(token);
  }

  @ApiOp({ summary: '提交满意度评价（1–5 分，仅一次） / Answer the survey: a score of 1–5 and a comment, once', ok: SURVEY_ANSWERED, errors: [404, 410, 429] })
  @Post(':token')
  @Public()
  @UseGuards(ThrottlerGuard)
  @HttpCode(200)
  async answer(@Param('token') token: string, @Body() dto: SurveyAnswerDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const answered = await this.service.answer(token, dto);
    // The page's own form gets a page back; an API client its JSON.
    if (req.is('application/x-www-form-urlencoded')) {
      res.type('text/html; charset=utf-8');
      return this.service.thanksPage(answered);
    }
    return answered;
  }
}

@ApiTags('surveys')
@Controller('surveys')
export class SurveysController {
  constructor(private readonly service: SurveysService) {}

  @ApiOp({ summary: '满意度统计（按月、工程师、系统） / Satisfaction per month, engineer and system (S8)', ok: SURVEY_SUMMARY })
  @Get('summary')
  @Allow(...STAFF, 'vendor_contact')
  summary(@Auth() auth: Principal, @Query() q: SurveyPeriodQuery) {
    return this.service.summary(auth, q);
  }

  @ApiOp({ summary: '满意度评价明细（含意见） / The answers of a period with their comments', ok: SURVEY_ANSWERS })
  @Get()
  @Allow(...STAFF, 'vendor_contact')
  answers(@Auth() auth: Principal, @Query() q: SurveyPeriodQuery) {
    return this.service.answers(auth, q);
  }
}

@ApiTags('incidents')
@Controller('incidents')
export class IncidentSurveyController {
  constructor(private readonly service: SurveysService) {}

  @ApiOp({ summary: '工单的满意度调查（院方可取一次性链接） / The incident’s survey, and its link for the hospital desk', ok: INCIDENT_SURVEY, errors: [404] })
  @Get(':id/survey')
  @Allow(...STAFF)
  get(@Auth() auth: Principal, @Param('id') id: string) {
    return this.service.ofIncident(auth, id);
  }
}
