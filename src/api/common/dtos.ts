import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';

/** Bodies that many actions share: an optional note, or a reason that must be given. */
export class NoteDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) note?: string;
}

export class ReasonDto {
  @ApiProperty() @IsString() @Length(1, 5000) reason!: string;
}

/** Pages are bounded: `?page=1e300` is an integer to JavaScript but an OFFSET out of PostgreSQL's range (issue 9). */
export const MAX_PAGE = 10_000;
export const MAX_OFFSET = 1_000_000;
