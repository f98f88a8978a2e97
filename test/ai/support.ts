/** The AI routes' tests: an API that has the model (the Groq stub) beside one that has no key. */
import { startGroqStub, type GroqStub } from '../support/groq-stub.js';
import { env, startTestApi, type TestApi } from '../support/harness.js';

export interface AiApis {
  stub: GroqStub;
  /** Has a key and talks to `stub`, giving up on it after 800 ms. */
  api: TestApi;
  /** Has no key: answers by rule. */
  noKey: TestApi;
  close(): Promise<void>;
}

/** `name` gives the two their own Redis prefixes (AI quotas are counted there); `common` goes to both. */
export async function startAiApis(name: string, common: Record<string, string>): Promise<AiApis> {
  const stub = await startGroqStub();
  const prefix = `${env().REDIS_PREFIX}:${name}`;
  try {
    const [api, noKey] = await Promise.all([
      startTestApi({ ...common, GROQ_API_KEY: 'test-key', GROQ_BASE_URL: stub.url, GROQ_TIMEOUT_MS: '800', REDIS_PREFIX: prefix }),
      startTestApi({ ...common, REDIS_PREFIX: `${prefix}:nokey` }),
    ]);
    return {
      stub,
      api,
      noKey,
      close: async () => {
        await Promise.all([api.close(), noKey.close()]);
        await stub.close();
      },
    };
  } catch (error) {
    await stub.close();
    throw error;
  }
}
