import pino from 'pino';

export type Logger = pino.Logger;

/** JSON lines on stdout; token and password fields are redacted wherever they appear. */
export function createLogger(level: string, name = 'switchboard'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['*.accessToken', '*.refreshToken', '*.password', '*.secret', '*.secretKey', 'accessToken', 'refreshToken', 'password'],
      censor: '[redacted]',
    },
  });
}
