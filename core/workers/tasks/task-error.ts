// The error a task throws for bad input; the worker entry turns it into a TaskResult with this code.
export class TaskError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}
