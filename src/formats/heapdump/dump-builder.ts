/**
 * Collects decoded heap-dump records into the columns of a HeapDump. Objects, frames and alloc
 * samples go to typed-array columns; the few kinds counted in thousands (goroutines, finalizers,
 * buckets, ...) are plain lists.
 *
 * A record is committed only once it has been read whole; `beginRecord` / `rollback` undo the pointer
 * words a partly read record had already pushed, so a chunked reader can retry it.
 */
import type {
  Defer,
  DumpMemStats,
  DumpParams,
  DumpType,
  Finalizer,
  Goroutine,
  HeapDump,
  Itab,
  MemProfileBucket,
  OsThread,
  OtherRoot,
  Panic,
  PointerColumns,
  Segment,
} from "../../model/heap-dump.js";
import { GrowableFloat64, GrowableUint32 } from "./growable-columns.js";

export class PointerColumnsBuilder {
  readonly start = new GrowableUint32();
  readonly fieldOffset = new GrowableUint32();
  readonly value = new GrowableFloat64();

  constructor() {
    this.start.push(0);
  }

  /** Pointers pushed so far. */
  count = 0;

  push(fieldOffset: number, value: number): void {
    this.fieldOffset.push(fieldOffset);
    this.value.push(value);
    this.count++;
  }

  /** Closes the current holder's run of pointers. */
  endHolder(): void {
    this.start.push(this.count);
  }

  truncate(length: number): void {
    this.fieldOffset.truncate(length);
    this.value.truncate(length);
    this.count = length;
  }

  finish(): PointerColumns {
    return { start: this.start.finish(), fieldOffset: this.fieldOffset.finish(), value: this.value.finish() };
  }
}

export class DumpBuilder {
  params: DumpParams | undefined;

  readonly objectAddress = new GrowableFloat64();
  readonly objectSize = new GrowableFloat64();
  readonly objectContent = new GrowableFloat64();
  readonly objectPointers = new PointerColumnsBuilder();

  readonly frameGoroutine = new GrowableUint32();
  readonly frameDepth = new GrowableUint32();
  readonly frameSp = new GrowableFloat64();
  readonly frameEntryPc = new GrowableFloat64();
  readonly framePc = new GrowableFloat64();
  readonly frameContinuationPc = new GrowableFloat64();
  readonly frameFunction = new GrowableUint32();
  readonly frameContent = new GrowableFloat64();
  readonly frameSize = new GrowableFloat64();
  readonly framePointers = new PointerColumnsBuilder();

  readonly sampleAddress = new GrowableFloat64();
  readonly sampleBucket = new GrowableFloat64();

  readonly goroutines: Goroutine[] = [];
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  data: Segment | undefined;
  bss: Segment | undefined;
  readonly finalizers: Finalizer[] = [];
  readonly queuedFinalizers: Finalizer[] = [];
  readonly defers: Defer[] = [];
  readonly panics: Panic[] = [];
  readonly otherRoots: OtherRoot[] = [];
  readonly types: DumpType[] = [];
  readonly itabs: Itab[] = [];
  readonly osThreads: OsThread[] = [];
  memStats: DumpMemStats | undefined;
  readonly buckets: MemProfileBucket[] = [];

  private markObjectPointers = 0;
  private markFramePointers = 0;

  beginRecord(): void {
    this.markObjectPointers = this.objectPointers.count;
    this.markFramePointers = this.framePointers.count;
  }

  rollback(): void {
    this.objectPointers.truncate(this.markObjectPointers);
    this.framePointers.truncate(this.markFramePointers);
  }

  intern(text: string): number {
    let id = this.stringIds.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.stringIds.set(text, id);
    }
    return id;
  }

  addObject(address: number, size: number, contentOffset: number): void {
    this.objectAddress.push(address);
    this.objectSize.push(size);
    this.objectContent.push(contentOffset);
    this.objectPointers.endHolder();
  }

  addFrame(frame: {
    depth: number;
    sp: number;
    entryPc: number;
    pc: number;
    continuationPc: number;
    functionName: string;
    contentOffset: number;
    size: number;
  }): void {
    const goroutine = this.goroutines.length - 1;
    this.frameGoroutine.push(goroutine);
    this.frameDepth.push(frame.depth);
    this.frameSp.push(frame.sp);
    this.frameEntryPc.push(frame.entryPc);
    this.framePc.push(frame.pc);
    this.frameContinuationPc.push(frame.continuationPc);
    this.frameFunction.push(this.intern(frame.functionName));
    this.frameContent.push(frame.contentOffset);
    this.frameSize.push(frame.size);
    this.framePointers.endHolder();
    this.goroutines[goroutine]!.frameCount++;
  }

  addGoroutine(goroutine: Omit<Goroutine, "firstFrame" | "frameCount">): void {
    this.goroutines.push({ ...goroutine, firstFrame: this.frameDepth.length, frameCount: 0 });
  }

  finish(bytes: Uint8Array | undefined, fileSize: number): HeapDump {
    const params = this.params!;
    return {
      params,
      objects: {
        count: this.objectAddress.length,
        address: this.objectAddress.finish(),
        size: this.objectSize.finish(),
        contentOffset: this.objectContent.finish(),
        pointers: this.objectPointers.finish(),
      },
      goroutines: this.goroutines,
      frames: {
        count: this.frameDepth.length,
        goroutine: this.frameGoroutine.finish(),
        depth: this.frameDepth.finish(),
        sp: this.frameSp.finish(),
        entryPc: this.frameEntryPc.finish(),
        pc: this.framePc.finish(),
        continuationPc: this.frameContinuationPc.finish(),
        functionName: this.frameFunction.finish(),
        contentOffset: this.frameContent.finish(),
        size: this.frameSize.finish(),
        pointers: this.framePointers.finish(),
      },
      strings: this.strings,
      data: this.data,
      bss: this.bss,
      finalizers: this.finalizers,
      queuedFinalizers: this.queuedFinalizers,
      defers: this.defers,
      panics: this.panics,
      otherRoots: this.otherRoots,
      types: this.types,
      itabs: this.itabs,
      osThreads: this.osThreads,
      memStats: this.memStats,
      buckets: this.buckets,
      allocSamples: {
        count: this.sampleAddress.length,
        address: this.sampleAddress.finish(),
        bucket: this.sampleBucket.finish(),
      },
      bytes,
      fileSize,
    };
  }
}
