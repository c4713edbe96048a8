/** Files the browser test bundler inlines as text. */
declare module '*.idl' {
  const text: string;
  export default text;
}
