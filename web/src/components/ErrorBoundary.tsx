import { Alert, Button } from 'antd';
import { Component, type ReactNode } from 'react';

/** A page that fails to draw shows why (and a way back), instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  componentDidUpdate(prev: { resetKey?: string }) {
    if (prev.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert
        type="error"
        showIcon
        data-testid="page-error"
        title="页面出错 / This page failed"
        description={<pre style={{ whiteSpace: 'pre-wrap' }}>{String(this.state.error.stack ?? this.state.error)}</pre>}
        action={<Button onClick={() => window.location.reload()}>重新加载 / Reload</Button>}
      />
    );
  }
}
