import { InitialSchema1764200000000 } from './1764200000000-initial-schema';
import { SeedBusinessSystems1764200000001 } from './1764200000001-seed-business-systems';
import { VendorsAndDelivery1764200000002 } from './1764200000002-vendors-and-delivery';
import { Changes1764200000003 } from './1764200000003-changes';
import { Cmdb1764200000004 } from './1764200000004-cmdb';
import { IdempotencyAndSecrets1764310000000 } from './1764310000000-idempotency-and-secrets';
import { MadeByOneSource1764320000000 } from './1764320000000-made-by-one-source';
import { CalendarProvisionalAndScriptDiffs1764330000000 } from './1764330000000-calendar-provisional-and-script-diffs';
import { ChangeScripts1764340000000 } from './1764340000000-change-scripts';
import { UndeliverableAndEscalationShare1764340000001 } from './1764340000001-undeliverable-and-escalation-share';
import { IntakeOutbox1764400000000 } from './1764400000000-intake-outbox';
import { AlertsAndPredictions1764500000000 } from './1764500000000-alerts-and-predictions';
import { SshJobs1764600000000 } from './1764600000000-ssh-jobs';
import { SshCredentialsInVault1764600000001 } from './1764600000001-ssh-credentials-in-vault';
import { Inspections1764700000000 } from './1764700000000-inspections';
import { MaintenanceRecords1764800000000 } from './1764800000000-maintenance-records';
import { ContractAndAcceptance1764810000000 } from './1764810000000-contract-and-acceptance';
import { AcceptancePackNumbers1764820000000 } from './1764820000000-acceptance-pack-numbers';
import { MonthlyReports1764830000000 } from './1764830000000-monthly-reports';
import { IncidentOutages1764850000000 } from './1764850000000-incident-outages';
import { SatisfactionSurveys1764860000000 } from './1764860000000-satisfaction-surveys';
import { SurveyInvitations1764860000001 } from './1764860000001-survey-invitations';
import { Problems1764870000000 } from './1764870000000-problems';
import { SupportRequests1764880000000 } from './1764880000000-support-requests';
import { PmIntegrations1764900000000 } from './1764900000000-pm-integrations';
import { PmInboundWaiting1764900000001 } from './1764900000001-pm-inbound-waiting';
import { PeopleSignIn1765000000000 } from './1765000000000-people-sign-in';

/** Listed by hand so the compiled app and the tests run exactly the reviewed migrations, in order. */
export const MIGRATIONS = [
  InitialSchema1764200000000,
  SeedBusinessSystems1764200000001,
  VendorsAndDelivery1764200000002,
  Changes1764200000003,
  Cmdb1764200000004,
  IdempotencyAndSecrets1764310000000,
  MadeByOneSource1764320000000,
  CalendarProvisionalAndScriptDiffs1764330000000,
  ChangeScripts1764340000000,
  UndeliverableAndEscalationShare1764340000001,
  IntakeOutbox1764400000000,
  AlertsAndPredictions1764500000000,
  SshJobs1764600000000,
  SshCredentialsInVault1764600000001,
  Inspections1764700000000,
  MaintenanceRecords1764800000000,
  ContractAndAcceptance1764810000000,
  AcceptancePackNumbers1764820000000,
  MonthlyReports1764830000000,
  IncidentOutages1764850000000,
  SatisfactionSurveys1764860000000,
  SurveyInvitations1764860000001,
  Problems1764870000000,
  SupportRequests1764880000000,
  PmIntegrations1764900000000,
  PmInboundWaiting1764900000001,
  PeopleSignIn1765000000000,
];
