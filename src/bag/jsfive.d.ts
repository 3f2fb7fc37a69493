/** The part of jsfive (pure-JS HDF5 reader, no typings of its own) this project uses. */
declare module "jsfive" {
  export class File {
    constructor(buffer: ArrayBuffer, filename?: string);
    get(path: string): Group | Dataset | null;
  }
  export class Group {
    readonly keys: string[];
    get(path: string): Group | Dataset | null;
  }
  export class Dataset {
    readonly shape: number[];
    readonly dtype: string;
    readonly value: ArrayLike<number>;
  }
}
