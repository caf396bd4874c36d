export declare const APP_DIR: string;
export declare const ROOT: string;
export declare const MANIFESTS: string[];
export declare function rebase(path: string, fromDir: string, toDir: string): string;
export declare function assembleManifest<T extends { icon?: string }>(manifest: T, dirs?: { root?: string; appDir?: string }): T;
export declare function problemsOf(manifest: { icon?: string; ui_extension?: { views?: { viewport: string; component: string }[] } }, appDir?: string): string[];
export declare function assemble(dirs?: { root?: string; appDir?: string }): string[];
