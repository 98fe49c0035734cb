import { Navigate } from 'react-router';
import { holds, useSession } from './session';

/** Each person lands where their work is: a vendor's contact on their escalations, a reviewer on changes, others on the board. */
export default function HomeRedirect() {
  const { session } = useSession();
  if (holds(session, 'dispatcher', 'engineer', 'project_manager', 'it_manager', 'quality_manager')) return <Navigate to="/board" replace />;
  if (session?.user.roles.includes('vendor_contact')) return <Navigate to="/escalations" replace />;
  if (holds(session, 'reviewer')) return <Navigate to="/changes" replace />;
  return <Navigate to="/board" replace />;
}
