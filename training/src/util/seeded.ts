import { mulberry32 } from '@llemma/stdx';

/** mulberry32, the seeded generator the model runtime samples with: samples are the same on every machine. */
export const seeded = mulberry32;
