/** Turns whatever a request threw into what the user reads: a sentence and, for bad input, the issues. */
import { ContractError } from '../../../src-shared/protocol';

export interface ShownError {
  message: string;
  issues: string[];
  code?: string;
}

export function describeError(e: unknown): ShownError {
  if (e instanceof ContractError) return { message: e.message, issues: e.issues ?? [], code: e.code };
  if (e instanceof Error) return { message: e.message, issues: [] };
  return { message: String(e), issues: [] };
}
