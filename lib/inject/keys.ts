// Annotation and label names: the paper's `deucalion-*` surface in, `deucalion.io/*` written back.

export const ANNOTATION = {
  injection: 'deucalion-injection',
  image: 'deucalion-sidecar-image',
  configMap: 'deucalion-config-map',
  federation: 'deucalion-federation',
  mode: 'deucalion-sidecar-mode',
  cpuRequest: 'deucalion-sidecar-cpu-request',
  cpuLimit: 'deucalion-sidecar-cpu-limit',
  memoryRequest: 'deucalion-sidecar-memory-request',
  memoryLimit: 'deucalion-sidecar-memory-limit',
} as const;

/** Namespace label (and optional pod label) that switches injection on or off. */
export const INJECTION_LABEL = 'deucalion-injection';

/** Written on every pod the injector changed; its presence makes re-injection a no-op. */
export const STATUS_ANNOTATION = 'deucalion.io/status';

export const DISPATCHER_CONTAINER = 'deucalion-dispatcher';
export const CONFIG_VOLUME = 'deucalion-config';
export const CONFIG_MOUNT_PATH = '/etc/deucalion';
export const HTTP_PORT_NAME = 'deucalion-http';

export const SCRAPE_PORT_ANNOTATION = 'prometheus.io/port';
export const SCRAPE_PATH_ANNOTATION = 'prometheus.io/path';
