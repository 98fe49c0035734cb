import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNumber, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MODIFICATION_TYPES, ModificationType } from '../../domain/modification';

export class CreateModificationDto {
  @ApiProperty({ example: 'SYS-22' }) @IsString() @Length(1, 64) systemId!: string;
  @ApiProperty({ enum: MODIFICATION_TYPES, description: 'improvement (完善性), adaptation to OS/DB/browser changes (适应性), third-party interface' })
  @IsIn(MODIFICATION_TYPES, { message: `type must be one of: ${MODIFICATION_TYPES.join(', ')}` })
  type!: ModificationType;
  @ApiProperty() @IsString() @Length(1, 200) title!: string;
  @ApiProperty() @IsString() @Length(1, 10_000) description!: string;
  @ApiProperty({ example: '输血科' }) @IsString() @Length(1, 100) department!: string;
}

export class AssessDto {
  @ApiProperty() @IsBoolean() feasible!: boolean;
  @ApiProperty({ description: 'estimated person-days' }) @IsNumber() @Min(0) @Max(365) effortDays!: number;
  @ApiProperty({ description: 'whether it changes database tables, views or procedures (then a change must be approved, S4)' }) @IsBoolean() schemaChange!: boolean;
  @ApiPropertyOptional({ description: 'change id or number' }) @IsOptional() @IsString() @Length(1, 64) linkedChange?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) note?: string;
}

export class CommentDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) comment?: string;
}

export class RequiredCommentDto {
  @ApiProperty() @IsString() @Length(1, 5000) comment!: string;
}

export class LinkChangeDto {
  @ApiProperty({ description: 'change id or number (CHG-…) of the same business system' }) @IsString() @Length(1, 64) change!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 5000) note?: string;
}
