import { RetryBudget, RetryPolicy } from '@cemaf/retry';

// Everything that calls the payments service shares one budget: however many callers retry,
// retries add at most 10% to its load (plus 10 a second), so an outage is not made worse.
const paymentsBudget = new RetryBudget({ ratio: 0.1, minRetriesPerSecond: 10 });

export const chargePolicy = new RetryPolicy({ budget: paymentsBudget, maxAttempts: 3, initialDelay: 200 });
export const refundPolicy = new RetryPolicy({ budget: paymentsBudget, maxAttempts: 5, initialDelay: 200 });
