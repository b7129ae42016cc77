/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Prefills the environment URL (the dev script sets it to the sandbox). Never a secret. */
  readonly VITE_DT_ENVIRONMENT_URL?: string;
}
