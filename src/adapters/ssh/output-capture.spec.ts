import { OutputCapture } from './output-capture';

describe('OutputCapture keeps head and tail under a cap and counts the rest', () => {
  it('keeps everything below the caps', () => {
    const c = new OutputCapture(10, 10);
    c.push(Buffer.from('hello '));
    c.push(Buffer.from('world'));
    expect(c.result()).toEqual({ head: 'hello worl', tail: 'd', omittedBytes: 0, totalBytes: 11 });
  });

  it('keeps the first and last bytes of a flood in many chunks', () => {
    const c = new OutputCapture(4, 6);
    const text = Array.from({ length: 1000 }, (_, i) => String(i % 10)).join('');
    for (let i = 0; i < text.length; i += 7) c.push(Buffer.from(text.slice(i, i + 7)));
    const r = c.result();
    expect(r.head).toBe(text.slice(0, 4));
    expect(r.tail).toBe(text.slice(-6));
    expect(r.totalBytes).toBe(1000);
    expect(r.omittedBytes).toBe(990);
  });

  it('handles one chunk larger than both caps', () => {
    const c = new OutputCapture(3, 3);
    c.push(Buffer.from('abcdefghij'));
    expect(c.result()).toEqual({ head: 'abc', tail: 'hij', omittedBytes: 4, totalBytes: 10 });
  });
});
