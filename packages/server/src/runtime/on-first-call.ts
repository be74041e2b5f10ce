/**
 * An adapter made on its first call, for adapters whose module imports a large library (LanceDB and Arrow, thrift,
 * the AWS Glue SDK): the server starts without loading it, and a server that never uses the adapter never does.
 * Each named method waits for the adapter, then forwards its arguments; a failed load is not kept, so the next call
 * tries again and every call sees the failure the adapter's module gives.
 */
type AsyncMethods<T> = { [K in keyof T]-?: NonNullable<T[K]> extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T];

/**
 * `methods` names every async method of T (the compiler holds it to the port's whole list, so a method added to the
 * port must be added here); T must have no other members.
 */
export function onFirstCall<T extends object>(make: () => Promise<T>, methods: { readonly [K in AsyncMethods<T>]: true }): T {
  let made: Promise<T> | undefined;
  const adapter = () =>
    (made ??= make().catch((e: unknown) => {
      made = undefined;
      throw e;
    }));
  const forwarding: Record<PropertyKey, unknown> = {};
  for (const name of Object.keys(methods) as (keyof T)[])
    forwarding[name] = async (...args: unknown[]) => {
      const target = await adapter();
      return (target[name] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    };
  return forwarding as T;
}
