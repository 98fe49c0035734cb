import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, ModulesContainer, NestFactory } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { installEdge } from './edge/edge';
import { defaultConsoleDir, installConsole } from './edge/console';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { WardlineConfig } from '../config';
import { ENTITIES } from '../persistence/entities';
import { AuthGuard } from './auth/auth.guard';
import { ErrorsFilter } from './common/errors.filter';
import { CLOCK, CONFIG, Clock, SECRET_KEY, TEMPORAL_CLIENT, systemClock } from './common/tokens';
import { IdempotencyInterceptor, IdempotencyStore } from './common/idempotency';
import { SecretKey, SecretVault, loadSecretKey } from '../infra/secrets';
import { createValidationPipe } from './common/validation';
import { HealthController } from './health/health.controller';
import { IncidentsController } from './incidents/incidents.controller';
import { IncidentsService } from './incidents/incidents.service';
import { RosterController } from './roster/roster.controller';
import { RosterService } from './roster/roster.service';
import { CalendarService } from './sla/calendar.service';
import { SlaController } from './sla/sla.controller';
import { SystemsController } from './systems/systems.controller';
import { SystemsService } from './systems/systems.service';
import { UsersController } from './users/users.controller';
import { VendorsController } from './vendors/vendors.controller';
import { VendorsService } from './vendors/vendors.service';
import { EscalationsController } from './escalations/escalations.controller';
import { EscalationsService } from './escalations/escalations.service';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsService } from './notifications/notifications.service';
import { ChangesController } from './changes/changes.controller';
import { ChangesService } from './changes/changes.service';
import { ModificationsController } from './modifications/modifications.controller';
import { ModificationsService } from './modifications/modifications.service';
import { UsersService } from './users/users.service';
import { CmdbController } from './cmdb/cmdb.controller';
import { CmdbImportService } from './cmdb/cmdb-import';
import { CmdbService } from './cmdb/cmdb.service';
import { JobsController } from './jobs/jobs.controller';
import { PatchController } from './jobs/patch.controller';
import { JobsService } from './jobs/jobs.service';
import { SshController } from './ssh/ssh.controller';
import { SECRET_VAULT, SshService } from './ssh/ssh.service';
import { IntegrationsController } from './integrations/integrations.controller';
import { IntegrationsService } from './integrations/integrations.service';
import { AlertConfigService } from './alerts/alert-config.service';
import { AlertIntakeController, RejectedAlertsInterceptor } from './alerts/alert-intake.controller';
import { AlertIntakeService } from './alerts/alert-intake.service';
import { ALERT_RECEIVER } from './alerts/alert-tokens';
import { AlertReceiver } from '../persistence/alerts/alert-receiver';
import { alertIncidentGateway } from '../intake/alert-gateway';
import { AlertsController, ChangeAlertsController, IncidentAlertsController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { MetricsController } from './monitoring/metrics.controller';
import { MetricsService } from './monitoring/metrics.service';
import { ItemMetricsController, PredictionsController } from './monitoring/monitoring.controller';
import { MonitoringService } from './monitoring/monitoring.service';
import { RecordsController } from './records/records.controller';
import { RecordsService } from './records/records.service';
import { ContractsController } from './contracts/contracts.controller';
import { ContractsService } from './contracts/contracts.service';
import { AcceptanceController } from './acceptance/acceptance.controller';
import { AcceptanceService } from './acceptance/acceptance.service';
import { MonthlyReportsController } from './monthly-reports/monthly-reports.controller';
import { MonthlyReportsService } from './monthly-reports/monthly-reports.service';
import { SignInController } from './auth/sign-in.controller';
import { DIRECTORY_PORT, SignInService } from './auth/sign-in.service';
import { Directory, LdapDirectory } from '../adapters/directory/ldap-directory';

import { DbCredentialsController, InspectionChecksController, InspectionReportsController, InspectionSchedulesController, InspectionsController } from './inspections/inspections.controller';
import { InspectionsService } from './inspections/inspections.service';
import { DowntimeController, OutageFlagController } from './downtime/downtime.controller';
import { DowntimeService } from './downtime/downtime.service';
import { IncidentSurveyController, SurveyLinkController, SurveysController } from './surveys/surveys.controller';
import { SurveysService } from './surveys/surveys.service';
import { ProblemsController } from './problems/problems.controller';
import { ProblemsService } from './problems/problems.service';
import { SupportController } from './support/support.controller';
import { SupportService } from './support/support.service';

export interface AppDeps {
  config: WardlineConfig;
  dataSource: DataSource;
  temporal: Client;
  clock?: Clock;
  /** The vault's key; default: WARDLINE_SECRET_KEY or `<dataDir>/secret.key`. */
  secretKey?: SecretKey;
  /** People's directory (LDAP/AD); default: from WARDLINE_LDAP_URL, or none. */
  directory?: Directory | null;
}

@Module({})
export class AppModule {
  static register(deps: AppDeps): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => deps.dataSource.options,
          dataSourceFactory: async () => deps.dataSource,
        }),
        TypeOrmModule.forFeature(ENTITIES),
        // Rate limits of public and sign-in-like routes (@UseGuards(ThrottlerGuard) on them): per client address.
        ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 30 }], errorMessage: 'too many requests: retry in a minute' }),
      ],
      controllers: [
        HealthController,
        UsersController,
        SystemsController,
        RosterController,
        SlaController,
        IncidentsController,
        VendorsController,
        EscalationsController,
        NotificationsController,
        CmdbController,
        ChangesController,
        ModificationsController,
        SshController,
        JobsController,
        IntegrationsController,
        PatchController,
        MetricsController,
        AlertIntakeController,
        AlertsController,
        IncidentAlertsController,
        ChangeAlertsController,
        PredictionsController,
        ItemMetricsController,
        RecordsController,
        ContractsController,
        AcceptanceController,
        MonthlyReportsController,
        SignInController,
        InspectionsController,
        InspectionChecksController,
        InspectionReportsController,
        InspectionSchedulesController,
        DbCredentialsController,
        DowntimeController,
        OutageFlagController,
        SurveyLinkController,
        SurveysController,
        IncidentSurveyController,
        ProblemsController,
        SupportController,
      ],
      providers: [
        { provide: CONFIG, useValue: deps.config },
        { provide: CLOCK, useValue: deps.clock ?? systemClock },
        { provide: TEMPORAL_CLIENT, useValue: deps.temporal },
        { provide: SECRET_KEY, useValue: deps.secretKey ?? loadSecretKey({ configured: deps.config.secretKey, dataDir: deps.config.dataDir }) },
        IdempotencyStore,
        IdempotencyInterceptor,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorsFilter },
        UsersService,
        SystemsService,
        RosterService,
        CalendarService,
        IncidentsService,
        VendorsService,
        EscalationsService,
        NotificationsService,
        CmdbService,
        CmdbImportService,
        ChangesService,
        ModificationsService,
        { provide: SECRET_VAULT, useFactory: (ds: DataSource, key: SecretKey) => new SecretVault(ds, key), inject: [DataSource, SECRET_KEY] },
        SshService,
        JobsService,
        IntegrationsService,
        MetricsService,
        AlertsService,
        AlertIntakeService,
        RejectedAlertsInterceptor,
        {
          provide: ALERT_RECEIVER,
          inject: [DataSource, CalendarService],
          useFactory: (ds: DataSource, calendars: CalendarService) =>
            new AlertReceiver(ds, alertIncidentGateway({ dataSource: ds, calendars: calendars.store, taskQueue: deps.config.taskQueue, reportedAtLimits: deps.config.reportedAt }), {
              flapWindowMs: deps.config.monitoring.flapWindowMs,
            }),
        },
        AlertConfigService,
        MonitoringService,
        RecordsService,
        ContractsService,
        AcceptanceService,
        MonthlyReportsService,
        { provide: DIRECTORY_PORT, useValue: deps.directory !== undefined ? deps.directory : deps.config.signIn.directory ? new LdapDirectory(deps.config.signIn.directory) : null },
        SignInService,
        InspectionsService,
        DowntimeService,
        SurveysService,
        ProblemsService,
        SupportService,
      ],
    };
  }
}

/** The HTTP app with validation, errors, and the OpenAPI page at /docs (JSON at /docs-json). */
export async function createApp(deps: AppDeps, options: { logger?: false } = {}): Promise<INestApplication> {
  // Bodies are parsed by the edge (src/api/edge): token first, then a per-route size limit and a nesting limit;
  // it keeps each JSON body's exact bytes as req.rawBody for signed webhooks (S15).
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(deps), { logger: options.logger ?? ['error', 'warn'], bodyParser: false });
  const controllers = [...app.get(ModulesContainer).values()].flatMap((m) => [...m.controllers.values()].map((w) => w.metatype as Type<unknown>));
  installEdge(app, { dataSource: deps.dataSource, controllers, signIn: deps.config.signIn });
  // Issue 16: the web console at `/` (its own assets under /assets), never in the way of an API route.
  installConsole(app, { dir: deps.config.consoleDir ?? defaultConsoleDir(), controllers });
  app.useGlobalPipes(createValidationPipe());
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** The OpenAPI document of an app: served at /docs-json, and written by scripts/openapi-dump.ts for the console. */
export function openApiDocument(app: INestApplication) {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Wardline API')
      .setDescription('医院信息系统运维服务平台 / hospital IT service management: incidents, SLA clocks, roster, calendar')
      .setVersion('0.1.0')
      .addBearerAuth()
      .addCookieAuth('wardline_session')
      .build(),
  );
}
