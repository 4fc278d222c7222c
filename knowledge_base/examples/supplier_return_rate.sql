-- Question: Which suppliers have the highest return rates?
-- Description: Share of delivered or returned orders with the supplier's products that were returned; suppliers with at least 50 such orders.
SELECT s.name AS supplier,
       COUNT(DISTINCT o.order_id) AS orders,
       ROUND(100.0 * COUNT(DISTINCT CASE WHEN o.status = 'returned' THEN o.order_id END)
             / COUNT(DISTINCT o.order_id), 2) AS return_rate_pct
FROM suppliers AS s
JOIN products AS p ON p.supplier_id = s.supplier_id
JOIN order_items AS oi ON oi.product_id = p.product_id
JOIN orders AS o ON o.order_id = oi.order_id
WHERE o.status IN ('delivered', 'returned')
GROUP BY s.supplier_id, s.name
HAVING COUNT(DISTINCT o.order_id) >= 50
ORDER BY return_rate_pct DESC;
