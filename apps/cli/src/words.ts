/** "1 token", "2 tokens", "0 tokens". */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
