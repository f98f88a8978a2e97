/** Short-lived signed access tokens (jose) and opaque, hashed, rotating refresh tokens. */
import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Role } from '../../domain/status.js';
import { UnauthorizedError } from '../errors.js';

export const ACCESS_AUDIENCE = 'logistics-api';
/** The only algorithm accepted: `none`, asymmetric algorithms and HS384/512 are refused before any key is tried. */
const ALGORITHMS = ['HS256'];

export interface AccessClaims {
  sub: string;
  role: Role;
  /** The session (refresh-token family): revoking it ends this access token too. */
  sid: string;
  driverId?: string;
}

/** How many verified access tokens are remembered (about 1 KB each); the oldest goes first. */
export const VERIFIED_TOKENS_KEPT = 10_000;

export interface TokenSettings {
  secret: string;
  issuer: string;
  accessTtlSeconds: number;
}

export class TokenService {
  /** Imported once: given raw bytes, jose imports the key again on every sign and verify. */
  private readonly key: Promise<CryptoKey>;
  /**
   * A token's signature and claims never change: once verified, its claims are kept until it expires, so
   * a client's every request does not pay for an HMAC through WebCrypto again. The session is still
   * checked on every request (middleware), so logout ends the token at once.
   */
  private readonly verified = new Map<string, { claims: AccessClaims; until: number }>();

  constructor(private readonly settings: TokenSettings) {
    const secret = new TextEncoder().encode(settings.secret);
    this.key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  async issueAccessToken(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, sid: claims.sid, ...(claims.driverId ? { did: claims.driverId } : {}), typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer(this.settings.issuer)
      .setAudience(ACCESS_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${this.settings.accessTtlSeconds}s`)
      .sign(await this.key);
  }

  /** The claims of a token this instance has verified and that has not expired since; undefined means verify it. */
  verifiedClaims(token: string): AccessClaims | undefined {
    const known = this.verified.get(token);
    return known && Date.now() < known.until ? { ...known.claims } : undefined;
  }

  async verifyAccessToken(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known && Date.now() < known.until) return { ...known.claims };
    this.verified.delete(token);
    const maxAgeSeconds = this.settings.accessTtlSeconds + 60;
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        algorithms: ALGORITHMS,
        issuer: this.settings.issuer,
        audience: ACCESS_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: `${maxAgeSeconds}s`,
      });
      const { sub, role, sid, did, typ, exp, iat } = payload;
      if (typ !== 'access' || typeof sub !== 'string' || typeof role !== 'string' || typeof sid !== 'string') {
        throw new Error('not an access token');
      }
      const claims: AccessClaims = { sub, role: role as Role, sid, driverId: typeof did === 'string' ? did : undefined };
      if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
      // Valid until `exp` or the maximum age, whichever comes first (both are required claims).
      this.verified.set(token, { claims, until: Math.min(exp!, iat! + maxAgeSeconds) * 1000 });
      return { ...claims };
    } catch {
      throw new UnauthorizedError('invalid or expired access token', 'INVALID_TOKEN');
    }
  }
}

export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
