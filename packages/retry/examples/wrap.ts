import { RetryPolicy } from '@cemaf/retry';

export interface Config {
  readonly name: string;
  readonly values: Record<string, string>;
}

export async function loadConfig(name: string): Promise<Config> {
  const response = await fetch(`https://config.example.com/${name}.json`);
  if (!response.ok) throw new Error(`config ${name}: HTTP ${response.status}`);
  return (await response.json()) as Config;
}

// Same parameters, every call retried: (name: string) => Promise<Config>.
export const loadConfigWithRetry = new RetryPolicy({ initialDelay: 100 }).wrap(loadConfig);
