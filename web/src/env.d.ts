/// <reference types="svelte" />
/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** A raster tile template such as https://tile.example.org/{z}/{x}/{y}.png; unset draws a plain map. */
  readonly VITE_MAP_TILE_URL?: string;
  readonly VITE_MAP_ATTRIBUTION?: string;
}
