/**
 * `brand_replied_at` of a customer post is the time of the first brand reply to it, which needs
 * a join across the file in both directions: exports list replies before their posts (twcs is
 * newest-first inside a thread) as well as after. The join is bounded so a file of any size
 * streams in constant memory:
 * - brand replies whose post has not been read yet are remembered by the post's id (at most
 *   `pendingReplyLimit`, oldest forgotten first) and applied when the post arrives;
 * - every record is held back for `windowRecords` records before it is emitted, so a reply that
 *   comes after its post within that window still reaches it.
 * A reply further away than the window (or in another file) leaves `brand_replied_at` null; the
 * posts' `in_reply_to` links stay in the table, so a view can still join across files.
 * Only replies at or after the post count: a reply stamped earlier is a clock error, not a response.
 */

export interface WindowItem<T> {
  readonly payload: T;
  /** Set for posts that take part in the join. */
  readonly post?: {
    readonly id: string;
    readonly postedAt: Date;
    readonly isBrand: boolean;
    readonly inReplyTo: string | null;
  };
  repliedAt: Date | null;
}

export class ReplyWindow<T> {
  private readonly queue: WindowItem<T>[] = [];
  private head = 0;
  private readonly customerPosts = new Map<string, WindowItem<T>>();
  private readonly earlyReplies = new Map<string, Date>();

  constructor(
    private readonly windowRecords: number,
    private readonly pendingReplyLimit: number,
  ) {}

  /** Adds a record; returns the records that left the window, in input order. */
  push(item: WindowItem<T>): WindowItem<T>[] {
    const post = item.post;
    if (post?.isBrand && post.inReplyTo !== null) this.recordReply(post.inReplyTo, post.postedAt);
    if (post && !post.isBrand) {
      const early = this.earlyReplies.get(post.id);
      if (early !== undefined) {
        this.earlyReplies.delete(post.id);
        applyReply(item, early);
      }
      this.customerPosts.set(post.id, item);
    }
    this.queue.push(item);
    const released: WindowItem<T>[] = [];
    while (this.queue.length - this.head > this.windowRecords) released.push(this.release());
    this.compact();
    return released;
  }

  /** Every record still held, in input order (end of file). */
  drain(): WindowItem<T>[] {
    const released: WindowItem<T>[] = [];
    while (this.head < this.queue.length) released.push(this.release());
    this.compact();
    return released;
  }

  private recordReply(postId: string, at: Date): void {
    const target = this.customerPosts.get(postId);
    if (target) {
      applyReply(target, at);
      return;
    }
    const known = this.earlyReplies.get(postId);
    if (known === undefined || at < known) {
      this.earlyReplies.delete(postId);
      this.earlyReplies.set(postId, at);
    }
    while (this.earlyReplies.size > this.pendingReplyLimit) {
      const oldest = this.earlyReplies.keys().next().value;
      if (oldest === undefined) break;
      this.earlyReplies.delete(oldest);
    }
  }

  private release(): WindowItem<T> {
    const item = this.queue[this.head] as WindowItem<T>;
    this.head++;
    if (item.post && this.customerPosts.get(item.post.id) === item) this.customerPosts.delete(item.post.id);
    return item;
  }

  /** Drops released slots now and then, so the array never grows past twice the window. */
  private compact(): void {
    if (this.head > 0 && this.head >= this.queue.length - this.head) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

function applyReply<T>(item: WindowItem<T>, at: Date): void {
  if (!item.post || at < item.post.postedAt) return;
  if (item.repliedAt === null || at < item.repliedAt) item.repliedAt = at;
}
