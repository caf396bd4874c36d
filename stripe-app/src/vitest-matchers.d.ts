import 'vitest';

// The SDK registers its matchers on the global `expect` (Jest-style); these make Vitest's types know them.
declare module 'vitest' {
  interface Assertion {
    toContainComponent(type: unknown, props?: object): void;
    toContainComponentTimes(type: unknown, times: number, props?: object): void;
    toContainText(text: string): void;
    toHaveProps(props: object): void;
  }
}
