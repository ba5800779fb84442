import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { TokenGrant } from '../connectors/providers/tokens';

export interface AuthorizationResult {
  code: string;
  /** QuickBooks names the company (realm) the user chose in the callback. */
  realmId?: string;
}

/**
 * The OAuth2 authorization-code flow's local half: listens on the redirect URI (which must point at this machine),
 * hands the authorization URL to `showUrl`, and resolves with the code once the provider redirects the browser back
 * with the right state.
 */
export async function receiveAuthorization(options: {
  redirectUri: string;
  authorizeUrl: (state: string) => string;
  showUrl: (url: string) => void;
  timeoutMs?: number;
}): Promise<AuthorizationResult> {
  const redirect = new URL(options.redirectUri);
  if (!['localhost', '127.0.0.1', '[::1]'].includes(redirect.hostname) || redirect.protocol !== 'http:') {
    throw new Error(`the redirect URI ${options.redirectUri} must be http://localhost:<port>/… for the local callback listener`);
  }
  const state = randomBytes(16).toString('hex');
  return new Promise<AuthorizationResult>((resolve, reject) => {
    const finish = (error: Error | undefined, result?: AuthorizationResult) => {
      clearTimeout(timer);
      server.close();
      if (error) reject(error);
      else resolve(result as AuthorizationResult);
    };
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', options.redirectUri);
      if (url.pathname !== redirect.pathname) {
        response.writeHead(404).end();
        return;
      }
      const answer = (status: number, text: string) => response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
      if (url.searchParams.get('state') !== state) {
        answer(400, 'This authorisation does not belong to the running `switchboard connect`.');
        return;
      }
      const error = url.searchParams.get('error');
      if (error) {
        answer(400, `Authorisation refused: ${error}`);
        finish(new Error(`the provider refused the authorisation: ${error}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}`));
        return;
      }
      const code = url.searchParams.get('code');
      if (!code) {
        answer(400, 'The callback carries no code.');
        return;
      }
      answer(200, 'Switchboard is connected. You can close this window.');
      finish(undefined, { code, ...(url.searchParams.get('realmId') ? { realmId: url.searchParams.get('realmId') as string } : {}) });
    });
    const timer = setTimeout(() => finish(new Error('no authorisation arrived within the time allowed; run the command again')), options.timeoutMs ?? 5 * 60_000);
    server.once('error', (error) => finish(new Error(`cannot listen on ${redirect.host} for the OAuth callback: ${error.message}`)));
    server.listen(Number(redirect.port || 80), redirect.hostname.replace(/^\[|\]$/g, ''), () => options.showUrl(options.authorizeUrl(state)));
  });
}

export type { TokenGrant };
