export interface FieldProblem {
  field: string;
  message: string;
}

/** An error a route means to answer with: its status, stable code and message reach the client. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const unprocessable = (code: string, message: string, fields?: FieldProblem[]) =>
  new AppError(422, code, message, fields);
