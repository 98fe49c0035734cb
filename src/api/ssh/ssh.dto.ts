import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

const NO_NUL = /^[^\0]*$/;

export class CreateCredentialDto {
  @ApiProperty({ example: 'his-linux-ops' }) @IsString() @Length(1, 100) @Matches(/^[A-Za-z0-9._-]+$/, { message: 'name may hold letters, digits, dot, dash, underscore' }) name!: string;
  @ApiProperty({ example: 'opsadm' }) @IsString() @Length(1, 64) @Matches(/^[A-Za-z0-9._\\@-]+$/, { message: 'username may hold letters, digits, . _ - \\ @' }) username!: string;
  @ApiProperty({ enum: ['password', 'key'] }) @IsIn(['password', 'key'], { message: 'kind must be password or key' }) kind!: 'password' | 'key';
  @ApiPropertyOptional({ description: 'kind=password; stored sealed (AES-256-GCM), never returned' }) @IsOptional() @IsString() @Length(1, 1024) @Matches(NO_NUL, { message: 'password must not contain NUL' }) password?: string;
  @ApiPropertyOptional({ description: 'kind=key: an OpenSSH or PEM private key; stored sealed, never returned' }) @IsOptional() @IsString() @Length(1, 20_000) @Matches(NO_NUL, { message: 'privateKey must not contain NUL' }) privateKey?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 1024) @Matches(NO_NUL, { message: 'passphrase must not contain NUL' }) passphrase?: string;
  @ApiPropertyOptional({ enum: ['none', 'sudo'], description: 'sudo: commands run through `sudo -n`' }) @IsOptional() @IsIn(['none', 'sudo'], { message: 'become must be none or sudo' }) become?: 'none' | 'sudo';
}

export class ScanHostKeyDto {
  @ApiPropertyOptional({ description: 'a server item (id or server:name); its ip, sshPort and jump host are used' }) @IsOptional() @IsString() @Length(1, 300) item?: string;
  @ApiPropertyOptional({ example: '10.8.1.21' }) @IsOptional() @IsString() @Length(1, 255) @Matches(/^[A-Za-z0-9.:-]+$/, { message: 'host must be an address or host name' }) host?: string;
  @ApiPropertyOptional({ example: 22 }) @IsOptional() @IsInt() @Min(1) @Max(65535) port?: number;
}

export class AcceptHostKeyDto extends ScanHostKeyDto {
  @ApiPropertyOptional({ description: 'import: the OpenSSH public key line (`ssh-ed25519 AAAA…`), e.g. from ssh-keyscan or the host itself' })
  @IsOptional()
  @IsString()
  @Length(1, 10_000)
  publicKey?: string;
  @ApiPropertyOptional({ description: 'accept after a scan: the fingerprint the admin compared (`SHA256:…`); the host must still present it' })
  @IsOptional()
  @IsString()
  @Matches(/^SHA256:[A-Za-z0-9+/]{43}$/, { message: 'fingerprint must look like SHA256:<43 base64 characters>' })
  fingerprint?: string;
  @ApiPropertyOptional({ description: 'replace a pinned key that changed (the old pin is revoked and audited)' }) @IsOptional() @IsBoolean() replace?: boolean;
}
