import { mergeConfig } from 'vitest/config';
import shared, { standardDecorators } from '../../vitest.shared.ts';

export default mergeConfig(shared, { plugins: [standardDecorators] });
